#!/usr/bin/env bash
# Iceberg tables vs the Hive layout, same feed in the same run: the market feed at RATE ticks/s for
# DURATION s with the sink running alongside (flush interval 2 s), once per layout:
#   hive             Hive-partitioned Parquet files (the baseline)
#   iceberg          an Iceberg table, a snapshot per flush
#   iceberg+compact  the same with --compact-every 10
# Prints the data files per hour each layout leaves for readers, snapshots per hour, then the
# median time of a GROUP BY over the Iceberg table before and after `ticklake compact`, and over
# the crawled Hive table.
# RATES="2000 50000" DURATION=20 bash bench/iceberg_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
RATES=${RATES:-2000 50000}
DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
SQL='SELECT "index", count(*), avg(close) FROM ticks GROUP BY 1'

# run_layout NAME RATE SINK_ARGS...: feed and sink at once; the sink stops (flushing) after the feed.
run_layout() {
  local name=$1 rate=$2
  shift 2
  local dir=$WORK/$name-$rate
  mkdir -p "$dir"
  rm -f "$WORK/bootstrap"
  start_broker ticks:48  # the embedded broker keeps 5 MiB a partition: spread 50k/s over many
  "$BIN" sink -b "$BOOTSTRAP" -t ticks --lake "$dir/lake" --catalog "$dir/catalog.db" \
    --flush-interval 2 "$@" 2>"$dir/sink.log" &
  local sink=$!
  "$BIN" produce -b "$BOOTSTRAP" -t ticks --rate "$rate" --duration "$DURATION" --seed 7 \
    >/dev/null 2>"$dir/produce.log"
  kill -TERM "$sink"
  wait "$sink" || { cat "$dir/sink.log" >&2; exit 1; }
  kill "${PIDS[-1]}" && wait "${PIDS[-1]}" 2>/dev/null || true  # this run's broker
  unset 'PIDS[-1]'
}

live_files() {  # live data files of the Iceberg table in DIR
  "$BIN" catalog snapshots ticks --catalog "$1/catalog.db" --json | /usr/bin/python3 -c \
    'import json,sys; print([s for s in json.load(sys.stdin) if s["current"]][0]["total_files"])'
}
snapshots() {
  "$BIN" catalog snapshots ticks --catalog "$1/catalog.db" --json | /usr/bin/python3 -c \
    'import json,sys; print(len(json.load(sys.stdin)))'
}
per_hour() { echo "$1 * 3600 / $DURATION" | bc; }
query_median() {  # DIR
  for _ in $(seq "$RUNS"); do
    seconds "$BIN" query --catalog "$1/catalog.db" --data-dir "$1" "$SQL"
  done | median
}

for rate in $RATES; do
  echo "-- $rate ticks/s for $DURATION s, flush interval 2 s"
  run_layout hive "$rate" --table-format hive
  hive=$WORK/hive-$rate
  hive_files=$(find "$hive/lake/ticks" -name '*.parquet' | wc -l)
  "$BIN" crawl --lake "$hive/lake" --catalog "$hive/catalog.db" >/dev/null
  run_layout iceberg "$rate" --table-format iceberg
  ice=$WORK/iceberg-$rate
  run_layout iceberg-compact "$rate" --table-format iceberg --compact-every 10
  icec=$WORK/iceberg-compact-$rate
  printf '  %-34s %10s files/h\n' "hive (baseline)" "$(per_hour "$hive_files")"
  printf '  %-34s %10s files/h  %8s snapshots/h\n' "iceberg" "$(per_hour "$(live_files "$ice")")" \
    "$(per_hour "$(snapshots "$ice")")"
  printf '  %-34s %10s files/h  %8s snapshots/h\n' "iceberg --compact-every 10" \
    "$(per_hour "$(live_files "$icec")")" "$(per_hour "$(snapshots "$icec")")"
  q_hive=$(query_median "$hive")
  q_ice=$(query_median "$ice")
  before=$(live_files "$ice")
  "$BIN" compact ticks --catalog "$ice/catalog.db" >/dev/null
  q_compacted=$(query_median "$ice")
  printf '  GROUP BY, median of %s: hive %.3f s; iceberg %.3f s (%s files); compacted %.3f s (%s files); compacted/hive %s\n' \
    "$RUNS" "$q_hive" "$q_ice" "$before" "$q_compacted" "$(live_files "$ice")" \
    "$(ratio "$q_compacted" "$q_hive")"
done
