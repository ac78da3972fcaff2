#!/usr/bin/env bash
# Producer and whole pipeline against kcat, on both brokers: the embedded one (`ticklake broker`)
# and a real 3-broker Apache Kafka cluster (scripts/kafka-cluster.sh; replication factor 3,
# min.insync.replicas 2). RUNS runs of each, on fresh topics of PARTITIONS partitions, the order
# of the two sides alternating from run to run; per run both rates and their ratio, then medians.
#  1. produce: `ticklake produce --rate max` (its defaults: idempotent, acks=all, lz4, keyed by
#     symbol) vs `kcat -P` of the same messages with the same producer properties;
#  2. end to end: `ticklake produce` and `ticklake sink --flush-interval E2E_FLUSH` started
#     together on a fresh topic, timed until every record is committed in the lake (sum of the
#     next offsets in _ticklake/sink/<topic>/partition-*.json), then checked as Parquet; vs a
#     `kcat -P` producer and a `kcat -C -G` group consumer started together, timed until the
#     consumer has read every record. Keyed by symbol as users run it: with 92 partitions the 14
#     symbols land in distinct partitions, so 800k records (57k a partition) fit the embedded
#     broker's 5 MiB per partition. E2E_SPREAD=1 spreads the records over all partitions
#     (partitioner=random, both sides) instead: every partition then holds every symbol, and the
#     sink writes PARTITIONS times as many files.
# Rates are records per wall-clock second of whole processes (start-up and group join included:
# the embedded broker's first group join takes 3 s, see bench/sink_bench.sh).
#
# Usage: bench/broker_bench.sh
#   env: COUNT=800000 RUNS=3 PARTITIONS=92 E2E_FLUSH=1 E2E_SPREAD= BROKERS="embedded kafka"
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
COUNT=${COUNT:-800000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-92}
E2E_FLUSH=${E2E_FLUSH:-1}
BROKERS=${BROKERS:-embedded kafka}
E2E_PARTITIONER=() E2E_KEYS="keyed by symbol"
[ -z "${E2E_SPREAD:-}" ] || { E2E_PARTITIONER=("${SPREAD[@]}"); E2E_KEYS="spread over all partitions"; }

messages "$WORK/messages.txt" "$COUNT" 3

# ticklake_produce TOPIC ARGS...: ticklake produce of COUNT records; fails unless all are acked.
ticklake_produce() {
  local topic=$1
  shift
  "$BIN" produce -b "$BOOTSTRAP" -t "$topic" --rate max --count "$COUNT" --seed 3 --json "$@" \
    >"$WORK/produce.json" 2>"$WORK/produce.log" || die "ticklake produce failed: $(cat "$WORK/produce.log")"
  grep -q "\"acknowledged\":$COUNT," "$WORK/produce.json" ||
    die "ticklake produce: not all acknowledged: $(cat "$WORK/produce.json")"
}

# e2e_ticklake RUN: produce and sink together; sets TOOK, the seconds until all is committed.
e2e_ticklake() {
  local topic=e_ticklake_$1 lake=$WORK/lake-e2e-$broker-$1 t0 sink_pid
  t0=$EPOCHREALTIME
  "$BIN" sink -b "$BOOTSTRAP" -t "$topic" -G "e2e-tl-$1" --lake "$lake" --flush-interval "$E2E_FLUSH" \
    2>"$WORK/e2e-sink.log" &
  sink_pid=$!
  PIDS+=($sink_pid)
  ticklake_produce "$topic" "${E2E_PARTITIONER[@]}"
  all_committed() {
    kill -0 "$sink_pid" 2>/dev/null || die "the sink exited early: $(tail -n 5 "$WORK/e2e-sink.log")"
    [ "$(committed "$lake" "$topic")" -ge "$COUNT" ]
  }
  wait_for 600 all_committed ||
    die "end to end: the sink committed $(committed "$lake" "$topic") of $COUNT records in 600 s"
  TOOK=$(elapsed "$t0")
  stop_pid "$sink_pid"
  check_landed "$lake" "$topic" "$COUNT"
}

# e2e_kcat RUN: kcat producer and group consumer together; sets TOOK, the seconds until the
# consumer has read every record.
e2e_kcat() {
  local topic=e_kcat_$1 t0 consumer_pid
  t0=$EPOCHREALTIME
  timeout 600 kcat -C -b "$BOOTSTRAP" -G "e2e-kc-$1" "$topic" -o beginning -c "$COUNT" -q >/dev/null &
  consumer_pid=$!
  PIDS+=($consumer_pid)
  kcat_produce "$WORK/messages.txt" "$topic" "${E2E_PARTITIONER[@]}"
  wait "$consumer_pid" || die "end to end: kcat -C -G did not read $COUNT records in 600 s"
  TOOK=$(elapsed "$t0")
  stop_pid "$consumer_pid"
}

# produce_SIDE RUN: one producer of COUNT records to a fresh topic; sets TOOK (seconds).
produce_ticklake() { timed ticklake_produce "p_ticklake_$1"; TOOK=$ELAPSED; }
produce_kcat() { timed kcat_produce "$WORK/messages.txt" "p_kcat_$1"; TOOK=$ELAPSED; }

# compare WHAT BASELINE TARGET: RUNS runs of WHAT_ticklake and WHAT_kcat (each sets TOOK), in
# alternating order (the broker holds more data, and memory, for whoever runs later); prints the
# rates and ratio of each run, then the medians.
compare() {
  local what=$1 baseline=$2 target=$3 r side tl kc tls=() kcs=() ratios=()
  for ((r = 1; r <= RUNS; r++)); do
    for side in $( ((r % 2)) && echo ticklake kcat || echo kcat ticklake); do
      "${what}_$side" "$r"
      [ "$side" = ticklake ] && tl=$(per_second "$COUNT" "$TOOK") || kc=$(per_second "$COUNT" "$TOOK")
    done
    tls+=("$tl"); kcs+=("$kc"); ratios+=("$(ratio "$tl" "$kc")")
    printf '   run %d: ticklake %8.0f rec/s | %s %8.0f rec/s | ratio %s\n' "$r" "$tl" "$baseline" "$kc" "${ratios[-1]}"
  done
  printf '   median: ticklake %.0f rec/s | %s %.0f rec/s | ratio %s (target >= %s)\n' \
    "$(median_of "${tls[@]}")" "$baseline" "$(median_of "${kcs[@]}")" "$(ratio "$(median_of "${ratios[@]}")" 1)" "$target"
}

for broker in $BROKERS; do
  topics=()
  for ((r = 1; r <= RUNS; r++)); do
    for t in p_ticklake p_kcat e_ticklake e_kcat; do topics+=("${t}_$r:$PARTITIONS"); done
  done
  start_brokers "$broker" "${topics[@]}"
  echo "== $BROKER_LABEL: $COUNT records, topics of $PARTITIONS partitions, $RUNS runs"
  echo "-- produce: ticklake produce vs kcat -P with the same properties"
  compare produce "kcat -P" 1.0
  echo "-- end to end: produce + sink at once until all is committed as Parquet (flush interval ${E2E_FLUSH} s," \
    "records $E2E_KEYS) vs kcat -P + kcat -C -G until all is read"
  compare e2e "kcat pair" 1.0
  stop_brokers "$broker"
done
