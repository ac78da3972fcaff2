#!/usr/bin/env bash
# The sink against kcat, on both brokers: the embedded one (`ticklake broker`) and a real 3-broker
# Apache Kafka cluster (scripts/kafka-cluster.sh; replication factor 3, and
# group.initial.rebalance.delay.ms=0, so a group's first join is not delayed there; on the
# embedded broker, librdkafka's mock cluster, it takes 3 s by design).
#  b. throughput, RUNS runs: `ticklake sink -e` (default flags) landing a topic pre-filled with
#     COUNT simulator records (PARTITIONS partitions, spread with partitioner=random so that they
#     fit the embedded broker's 5 MiB per partition; every partition then holds every symbol and
#     the sink writes PARTITIONS x 14 files; KEYED=1 keys them by symbol instead, as
#     `ticklake produce` does, which fits only Apache Kafka at this COUNT) as Parquet in a fresh
#     lake, vs kcat reading the same topic to /dev/null as a simple consumer
#     (`kcat -C -t T -o beginning -e`) and as a group member (`kcat -C -G`); each run checks
#     that every record landed. Per run the rates
#     of whole processes, each group member's time to its partition assignment (group join) and
#     its rate after it; then medians.
#  c. peak RSS (/usr/bin/time %M) of those sink runs, which drain the COUNT-record backlog with
#     the default --max-buffer-bytes 256 MiB, over that bound (target <= 1.5); then one run with
#     --max-buffer-bytes 64 MiB, to show the bound scales.
#  d. freshness: the sink with --flush-interval FLUSH on a live topic fed by `ticklake produce`
#     at RATE msg/s for DURATION s (its defaults: keyed by symbol): event time (`ts`) -> landed
#     (the file's mtime, written just before the commit point) over every record, p50/p99/max
#     (target: p99 <= FLUSH + 0.5 s), after a `sync` (so that it does not wait for the drains'
#     writeback).
#
# Usage: bench/sink_bench.sh
#   env: COUNT=2000000 RUNS=3 PARTITIONS=96 RATE=50000 DURATION=20 FLUSH=2 KEYED=
#        BROKERS="embedded kafka"
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
COUNT=${COUNT:-2000000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-96}
RATE=${RATE:-50000}
DURATION=${DURATION:-20}
FLUSH=${FLUSH:-2}
BROKERS=${BROKERS:-embedded kafka}
MIB=$((1 << 20))
FILL_PARTITIONER=("${SPREAD[@]}") FILL_KEYS="spread over all partitions"
[ -z "${KEYED:-}" ] || { FILL_PARTITIONER=(); FILL_KEYS="keyed by symbol"; }

messages "$WORK/messages.txt" "$COUNT" 7

# sink_run NAME ARGS...: `ticklake sink -e` of topic s into a fresh lake, under /usr/bin/time;
# fails unless all HELD records landed. Sets ELAPSED, JOIN (seconds to the assignment) and RSS
# (peak, bytes).
sink_run() {
  local name=$1 lake=$WORK/lake-$1
  shift
  run_timed "$WORK/$name.log" /usr/bin/time -f %M -o "$WORK/rss" \
    "$BIN" sink -b "$BOOTSTRAP" -t s -G "$name" --lake "$lake" -e "$@" ||
    die "$name failed: $(tail -n 5 "$WORK/$name.log")"
  check_landed "$lake" s "$HELD"
  JOIN=$(joined "$WORK/$name.log" assigned)
  RSS=$(($(tail -n 1 "$WORK/rss") * 1024))
}
# kcat_run NAME ARGS...: kcat -C reading topic s to its end. Sets ELAPSED and JOIN.
kcat_run() {
  run_timed "$WORK/$1.log" kcat -C -b "$BOOTSTRAP" "${@:2}" -o beginning -e ||
    die "$1 failed: $(tail -n 5 "$WORK/$1.log")"
  JOIN=$(joined "$WORK/$1.log" rebalanced)
}
after_join() { per_second "$HELD" "$(awk -v e="$1" -v j="$2" 'BEGIN {print e - j}')"; }
mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }

for broker in $BROKERS; do
  start_brokers "$broker" "s:$PARTITIONS" "f:$PARTITIONS"
  echo "== $BROKER_LABEL"
  kcat_produce "$WORK/messages.txt" s "${FILL_PARTITIONER[@]}"
  HELD=$(held s "$PARTITIONS")
  echo "-- b. sink alone: topic of $PARTITIONS partitions; $COUNT records produced ($FILL_KEYS), the broker holds $HELD"
  [ "$HELD" -eq "$COUNT" ] ||
    die "the broker kept $HELD of $COUNT records (the embedded broker keeps 5 MiB per partition): raise PARTITIONS or lower COUNT"
  sink=(); group=(); simple=(); sink_join=(); group_join=(); sink_after=(); group_after=(); rss=()
  for ((r = 1; r <= RUNS; r++)); do
    # The sink first in odd runs, last in even ones.
    for side in $( ((r % 2)) && echo "sink group simple" || echo "simple group sink"); do
      case $side in
        sink)
          sink_run "sink-$broker-$r"
          sink+=("$(per_second "$HELD" "$ELAPSED")"); sink_join+=("$JOIN")
          sink_after+=("$(after_join "$ELAPSED" "$JOIN")"); rss+=("$RSS") ;;
        group)
          kcat_run "kcat-group-$r" -G "kcat-$broker-$r" s
          group+=("$(per_second "$HELD" "$ELAPSED")"); group_join+=("$JOIN")
          group_after+=("$(after_join "$ELAPSED" "$JOIN")") ;;
        simple)
          kcat_run "kcat-simple-$r" -t s -q
          simple+=("$(per_second "$HELD" "$ELAPSED")") ;;
      esac
    done
    printf '   run %d: sink %7.0f rec/s (join %s s, then %7.0f rec/s; peak RSS %s MB; %s files)' \
      "$r" "${sink[-1]}" "${sink_join[-1]}" "${sink_after[-1]}" "$(mb "${rss[-1]}")" "$FILES"
    printf ' | kcat -C -G %7.0f rec/s (join %s s, then %7.0f rec/s) | kcat -C %7.0f rec/s\n' \
      "${group[-1]}" "${group_join[-1]}" "${group_after[-1]}" "${simple[-1]}"
  done
  ms=$(median_of "${sink[@]}"); mg=$(median_of "${group[@]}"); mc=$(median_of "${simple[@]}")
  printf '   median: sink %.0f rec/s | kcat -C %.0f rec/s -> ratio %s (target >= 0.6, stretch 0.8) | kcat -C -G %.0f rec/s -> ratio %s (target >= 1.0)\n' \
    "$ms" "$mc" "$(ratio "$ms" "$mc")" "$mg" "$(ratio "$ms" "$mg")"
  printf '   median group join: sink %s s, kcat -C -G %s s; after the join: sink %.0f rec/s, kcat -C -G %.0f rec/s\n' \
    "$(median_of "${sink_join[@]}")" "$(median_of "${group_join[@]}")" \
    "$(median_of "${sink_after[@]}")" "$(median_of "${group_after[@]}")"

  echo "-- c. peak RSS draining the $HELD-record backlog"
  mr=$(median_of "${rss[@]}")
  printf '   default --max-buffer-bytes 256 MiB: median peak RSS %s MB (max %s MB) -> RSS / max-buffer-bytes %s (target <= 1.5)\n' \
    "$(mb "$mr")" "$(mb "$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1)")" "$(ratio "$mr" $((256 * MIB)))"
  sink_run "sink-$broker-64m" --max-buffer-bytes $((64 * MIB))
  printf '   --max-buffer-bytes 64 MiB: peak RSS %s MB -> ratio %s (%.0f rec/s)\n' \
    "$(mb "$RSS")" "$(ratio "$RSS" $((64 * MIB)))" "$(per_second "$HELD" "$ELAPSED")"

  echo "-- d. freshness at $RATE msg/s for $DURATION s, --flush-interval $FLUSH"
  # The drains above left dirty pages (their lakes; on Kafka the brokers' logs) that the kernel
  # writes back over the next ~30 s, and a flush's syncfs waits for them too: write them first.
  sync
  lake=$WORK/lake-fresh-$broker
  "$BIN" sink -b "$BOOTSTRAP" -t f -G "fresh-$broker" --lake "$lake" --flush-interval "$FLUSH" \
    2>"$WORK/fresh.log" &
  sink_pid=$!
  PIDS+=($sink_pid)
  sink_up() { kill -0 "$sink_pid" 2>/dev/null || die "the sink exited: $(tail -n 5 "$WORK/fresh.log")"; }
  assigned() { sink_up && grep -q assigned "$WORK/fresh.log"; }
  # Steady state: produce once the sink owns its partitions (after the group join).
  wait_for 60 assigned || die "the sink was not assigned partitions of f in 60 s"
  "$BIN" produce -b "$BOOTSTRAP" -t f --rate "$RATE" --duration "$DURATION" --json >"$WORK/fresh.json" \
    2>/dev/null || die "ticklake produce to f failed"
  acked=$(grep -o '"acknowledged":[0-9]*' "$WORK/fresh.json" | cut -d: -f2)
  landed() { sink_up && [ "$(committed "$lake" f)" -ge "$acked" ]; }
  wait_for 120 landed || die "the sink committed $(committed "$lake" f) of $acked records in 120 s"
  stop_pid "$sink_pid"
  check_landed "$lake" f "$acked"
  find "$lake/f" -name '*.parquet' -printf '%p\t%T@\n' >"$WORK/mtimes.tsv"
  "$SQL" "CREATE TABLE m AS SELECT column0 AS f, column1::DOUBLE AS landed FROM read_csv('$WORK/mtimes.tsv', delim='\t', header=false, columns={'column0': 'VARCHAR', 'column1': 'VARCHAR'})" \
    "CREATE TABLE r AS SELECT filename AS f, epoch(ts::TIMESTAMP) AS ts FROM read_parquet('$lake/f/**/*.parquet', filename=true, hive_partitioning=false)" \
    "SELECT count(*), quantile_cont(landed - ts, 0.5), quantile_cont(landed - ts, 0.99), max(landed - ts), count(DISTINCT f) FROM r JOIN m USING (f)" |
    awk -F'\t' -v goal="$FLUSH" '{printf "   %d records in %d files: event time -> landed p50 %.2f s, p99 %.2f s, max %.2f s (target: p99 <= %.1f s)\n", $1, $5, $2, $3, $4, goal + 0.5}'
  stop_brokers "$broker"
done
