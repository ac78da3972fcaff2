#!/usr/bin/env bash
# ticklake against kcat on both brokers: the embedded one (`ticklake broker`) and a real 3-broker
# Apache Kafka cluster (scripts/kafka-cluster.sh; topics with replication factor 3 and
# min.insync.replicas 2, created by the cluster's defaults), each in the same run:
#  1. produce: `ticklake produce --rate max` vs `kcat -P` of the same messages with ticklake's
#     producer settings (idempotent, acks=all, lz4);
#  2. sink: `ticklake sink -e` landing a pre-filled topic as Parquet vs `kcat -C -G` reading it
#     as a group member to /dev/null;
#  3. end to end: produce and sink started together on a fresh topic, timed until every record
#     is committed in the lake, vs a kcat producer and a kcat group consumer started together,
#     timed until the consumer has read every record.
# Rates are records per wall-clock second of whole processes (start-up and group join included).
#
# Usage: bench/broker_bench.sh          (env: COUNT=300000 BROKERS="embedded kafka")
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
COUNT=${COUNT:-300000}
BROKERS=${BROKERS:-embedded kafka}
CLUSTER=$WORK/kafka-cluster
same=(-X enable.idempotence=true -X acks=all -X partitioner=murmur2_random -X compression.type=lz4
      -X linger.ms=5 -X batch.num.messages=100000 -X batch.size=1000000
      -X queue.buffering.max.messages=1000000)

stop_cluster() { [ -d "$CLUSTER" ] && scripts/kafka-cluster.sh stop "$CLUSTER" >/dev/null 2>&1 || true; }
trap 'stop_cluster; cleanup' EXIT

"$BIN" produce --output "$WORK/messages.txt" --key-delimiter '\t' --count "$COUNT" --rate max \
  --seed 3 2>/dev/null

# committed LAKE TOPIC: records committed in the lake (sum of the partitions' next offsets).
committed() {
  cat "$1/_ticklake/sink/$2"/partition-*.json 2>/dev/null | grep -o '"next_offset":[0-9]*' |
    cut -d: -f2 | awk '{s += $1} END {print s + 0}'
}
now() { date +%s.%N; }
rate() { echo "$COUNT / ($2 - $1)" | bc -l; }

for broker in $BROKERS; do
  if [ "$broker" = embedded ]; then
    rm -f "$WORK/bootstrap"
    start_broker p_tl:6 p_kc:6 s_src:6 e_tl:6 e_kc:6
    B=$BOOTSTRAP
    label="embedded broker (ticklake broker, 3 mock brokers)"
  else
    t0=$(now)
    B=$(scripts/kafka-cluster.sh start "$CLUSTER" 3 2>"$WORK/cluster.log") ||
      { cat "$WORK/cluster.log" >&2; exit 1; }
    label="Apache Kafka 3-broker cluster (started in $(printf '%.1f' "$(echo "$(now) - $t0" | bc -l)") s)"
    # Created up front (a producer's metadata request creates them with the cluster's defaults:
    # 6 partitions, replication factor 3): a consumer subscribed to a missing topic would wait
    # for its next metadata refresh.
    for t in p_tl p_kc s_src e_tl e_kc; do kcat -L -b "$B" -t $t >/dev/null 2>&1; done
    for t in p_tl p_kc s_src e_tl e_kc; do
      until kcat -L -b "$B" -t $t 2>/dev/null | grep -q "6 partitions"; do sleep 0.2; done
    done
  fi
  echo "== $label: $COUNT records"

  t0=$(now)
  "$BIN" produce -b "$B" -t p_tl --rate max --count "$COUNT" --json >"$WORK/p.json" 2>/dev/null
  t1=$(now)
  grep -q "\"acknowledged\":$COUNT" "$WORK/p.json" || { echo "produce: not all acknowledged" >&2; exit 1; }
  kcat -P -b "$B" -t p_kc -K $'\t' "${same[@]}" <"$WORK/messages.txt"
  t2=$(now)
  tl=$(rate "$t0" "$t1"); kc=$(rate "$t1" "$t2")
  printf '   produce: ticklake %8.0f rec/s | kcat -P %8.0f rec/s | ratio %s\n' "$tl" "$kc" "$(ratio "$tl" "$kc")"

  kcat -P -b "$B" -t s_src -K $'\t' "${same[@]}" <"$WORK/messages.txt"
  t0=$(now)
  "$BIN" sink -b "$B" -t s_src -G "sink-$broker" --lake "$WORK/lake-s-$broker" -e 2>/dev/null || true
  t1=$(now)
  kcat -C -b "$B" -G "kcat-$broker" s_src -o beginning -e -q >/dev/null
  t2=$(now)
  landed=$(committed "$WORK/lake-s-$broker" s_src)
  [ "$landed" -eq "$COUNT" ] || echo "   note: the sink landed $landed of $COUNT records"
  tl=$(rate "$t0" "$t1"); kc=$(rate "$t1" "$t2")
  printf '   sink:    ticklake %8.0f rec/s | kcat -C -G %8.0f rec/s | ratio %s\n' "$tl" "$kc" "$(ratio "$tl" "$kc")"

  lake=$WORK/lake-e-$broker
  t0=$(now)
  "$BIN" sink -b "$B" -t e_tl -G "e2e-$broker" --lake "$lake" --flush-interval 1 2>"$WORK/e2e-sink.log" &
  sink_pid=$!
  "$BIN" produce -b "$B" -t e_tl --rate max --count "$COUNT" 2>/dev/null
  deadline=$((SECONDS + 300))
  while [ "$(committed "$lake" e_tl)" -lt "$COUNT" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
  t1=$(now)
  kill -TERM $sink_pid; wait $sink_pid || true
  [ "$(committed "$lake" e_tl)" -eq "$COUNT" ] || echo "   note: end to end committed $(committed "$lake" e_tl) of $COUNT"
  kcat -C -b "$B" -G "e2e-kcat-$broker" e_kc -o beginning -c "$COUNT" -q >/dev/null &
  consumer_pid=$!
  kcat -P -b "$B" -t e_kc -K $'\t' "${same[@]}" <"$WORK/messages.txt"
  wait $consumer_pid
  t2=$(now)
  tl=$(rate "$t0" "$t1"); kc=$(rate "$t1" "$t2")
  printf '   end to end (produce + sink at once, until all committed): ticklake %8.0f rec/s | kcat -P + kcat -G %8.0f rec/s | ratio %s\n' \
    "$tl" "$kc" "$(ratio "$tl" "$kc")"

  if [ "$broker" = embedded ]; then
    kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null || true
    unset 'PIDS[-1]'
  else
    stop_cluster
  fi
done
