#!/usr/bin/env bash
# Crawler speed: a local lake of FILES Parquet objects in PARTITIONS Hive partitions, crawled into
# a fresh catalog, then re-crawled unchanged; then the same lake on the local S3 server.
# Goals: first crawl <= 2 s, unchanged re-crawl <= 0.2 s (local).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
FILES=${FILES:-10000}
PARTITIONS=${PARTITIONS:-1000}
RUNS=${RUNS:-3}
per=$((FILES / PARTITIONS))
lake=$WORK/lake
mkdir -p "$lake"
for i in $(seq 0 $((per - 1))); do
  build/duckdb_sql "COPY (SELECT r % $PARTITIONS AS p, r AS seq, r * 0.5 AS close FROM range($PARTITIONS * 10) t(r))
    TO '$lake/ticks' (FORMAT parquet, PARTITION_BY (p), FILENAME_PATTERN 'part-$i-{i}', OVERWRITE_OR_IGNORE, PER_THREAD_OUTPUT false)" >/dev/null
done
count=$(find "$lake" -name '*.parquet' | wc -l)
echo "== crawl a local lake of $count objects in $PARTITIONS partitions, $RUNS runs"
first=(); again=()
for run in $(seq "$RUNS"); do
  rm -f "$WORK/catalog.db"*
  f=$(seconds "$BIN" crawl --lake "$lake" --catalog "$WORK/catalog.db")
  a=$(seconds "$BIN" crawl --lake "$lake" --catalog "$WORK/catalog.db")
  printf "   run %d: first crawl %.2f s (%.0f objects/s), unchanged re-crawl %.3f s\n" "$run" "$f" "$(echo "$count / $f" | bc -l)" "$a"
  first+=("$f"); again+=("$a")
done
mf=$(printf '%s\n' "${first[@]}" | median); ma=$(printf '%s\n' "${again[@]}" | median)
printf "   median: first crawl %.2f s (%.0f objects/s; goal <= 2 s), re-crawl %.3f s (goal <= 0.2 s)\n" \
  "$mf" "$(echo "$count / $mf" | bc -l)" "$ma"

echo "== the same lake on the local S3 server"
start_s3 bench
/usr/bin/aws --endpoint-url "$S3_ENDPOINT" s3 sync --only-show-errors "$lake" s3://bench/lake
rm -f "$WORK/catalog.db"*
f=$(seconds "$BIN" crawl --lake s3://bench/lake --catalog "$WORK/catalog.db" --cache-dir "$WORK/cache")
a=$(seconds "$BIN" crawl --lake s3://bench/lake --catalog "$WORK/catalog.db" --cache-dir "$WORK/cache")
printf "   first crawl %.2f s (%.0f objects/s), unchanged re-crawl %.2f s (%.0f objects/s)\n" \
  "$f" "$(echo "$count / $f" | bc -l)" "$a" "$(echo "$count / $a" | bc -l)"
