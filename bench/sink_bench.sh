#!/usr/bin/env bash
# Sink benchmarks (docs/architecture.md, "Performance"):
#  1. throughput: a topic pre-filled with RECORDS simulator ticks, landed as partitioned Parquet
#     in a local lake by `ticklake sink -e`, against kcat reading the same topic to /dev/null in
#     the same run — as a consumer-group member (-G, like the sink) and as a simple consumer;
#  2. freshness at a steady RATE msg/s: event time -> file landed, p50 / p99;
#  3. peak RSS of the sink while draining a BACKLOG-record topic.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-3}
RATE=${RATE:-50000}
BACKLOG=${BACKLOG:-2000000}
SQL=build/duckdb_sql

# The embedded broker keeps 5 MiB per partition: spread the data over enough partitions.
start_broker bench:48 fresh:12 backlog:96
"$BIN" produce --rate max --count "$RECORDS" --seed 7 --output "$WORK/records.jsonl" 2>/dev/null
kcat -b "$BOOTSTRAP" -P -t bench -z lz4 -X linger.ms=20 -X batch.num.messages=10000 -l "$WORK/records.jsonl"
kept=$(kcat -b "$BOOTSTRAP" -C -t bench -o beginning -e -q | wc -l)
echo "== 1. sink throughput: $kept records on topic bench (48 partitions), $RUNS runs"
[ "$kept" -eq "$RECORDS" ] || echo "   note: the embedded broker kept $kept of $RECORDS records (5 MiB per partition)"
sink_rates=() ; group_rates=() ; simple_rates=()
for run in $(seq "$RUNS"); do
  s=$(seconds "$BIN" sink -b "$BOOTSTRAP" -t bench -G "sink-$run" --lake "$WORK/lake-$run" -e 2>/dev/null)
  g=$(seconds kcat -b "$BOOTSTRAP" -C -G "kcat-$run" bench -o beginning -e -q)
  c=$(seconds kcat -b "$BOOTSTRAP" -C -t bench -o beginning -e -q)
  landed=$("$SQL" "SELECT count(*) FROM read_parquet('$WORK/lake-$run/bench/*/*.parquet')")
  [ "$landed" -eq "$kept" ] || { echo "sink landed $landed of $kept records" >&2; exit 1; }
  sr=$(echo "$kept / $s" | bc -l); gr=$(echo "$kept / $g" | bc -l); cr=$(echo "$kept / $c" | bc -l)
  printf "   run %d: sink %8.0f rec/s | kcat -G %8.0f rec/s (ratio %s) | kcat simple %8.0f rec/s (ratio %s)\n" \
    "$run" "$sr" "$gr" "$(ratio "$sr" "$gr")" "$cr" "$(ratio "$sr" "$cr")"
  sink_rates+=("$sr"); group_rates+=("$gr"); simple_rates+=("$cr")
  rm -rf "$WORK/lake-$run"
done
ms=$(printf '%s\n' "${sink_rates[@]}" | median); mg=$(printf '%s\n' "${group_rates[@]}" | median)
mc=$(printf '%s\n' "${simple_rates[@]}" | median)
printf "   median: sink %.0f rec/s, kcat -G %.0f rec/s, kcat simple %.0f rec/s; ratio %s vs kcat -G, %s vs simple kcat\n" \
  "$ms" "$mg" "$mc" "$(ratio "$ms" "$mg")" "$(ratio "$ms" "$mc")"
echo "   (every run includes the consumer-group join, ~3 s on the embedded broker, for the sink and kcat -G)"

echo "== 2. freshness at $RATE msg/s for 20 s (flush interval 2 s)"
"$BIN" sink -b "$BOOTSTRAP" -t fresh -G fresh --lake "$WORK/fresh" --flush-interval 2 2>"$WORK/fresh.log" &
sink_pid=$!
PIDS+=($sink_pid)
# Measure steady state: start producing once the sink owns its partitions (after the group join).
for _ in $(seq 600); do grep -q assigned "$WORK/fresh.log" && break; sleep 0.05; done
"$BIN" produce -b "$BOOTSTRAP" -t fresh --rate "$RATE" --duration 20 2>/dev/null
sleep 4  # one flush interval and a margin, so the last records land
kill -TERM "$sink_pid"; wait "$sink_pid" || true
find "$WORK/fresh/fresh" -name '*.parquet' -printf '%p\t%T@\n' >"$WORK/mtimes.tsv"
"$SQL" "CREATE TABLE m AS SELECT column0 AS f, to_timestamp(column1::DOUBLE)::TIMESTAMP AS landed FROM read_csv('$WORK/mtimes.tsv', delim='\t', header=false)" \
  "CREATE TABLE r AS SELECT filename AS f, ts FROM read_parquet('$WORK/fresh/fresh/*/*.parquet', filename=true)" \
  "SELECT count(*), round(quantile_cont(epoch(landed) - epoch(ts), 0.5), 2), round(quantile_cont(epoch(landed) - epoch(ts), 0.99), 2), round(max(epoch(landed) - epoch(ts)), 2) FROM r JOIN m USING (f)" |
  awk -F'\t' '{printf "   %d records: event time -> landed p50 %.2f s, p99 %.2f s, max %.2f s (goal: p99 <= 3 s)\n", $1, $2, $3, $4}'

echo "== 3. peak RSS draining a backlog of $BACKLOG records"
"$BIN" produce --rate max --count "$BACKLOG" --seed 9 --output "$WORK/backlog.jsonl" 2>/dev/null
kcat -b "$BOOTSTRAP" -P -t backlog -z lz4 -X linger.ms=20 -X batch.num.messages=10000 -l "$WORK/backlog.jsonl"
rm -f "$WORK/backlog.jsonl"
/usr/bin/time -f '%M %e' -o "$WORK/time" "$BIN" sink -b "$BOOTSTRAP" -t backlog -G backlog --lake "$WORK/backlog" -e 2>/dev/null
read -r rss secs <"$WORK/time"
landed=$("$SQL" "SELECT count(*) FROM read_parquet('$WORK/backlog/backlog/*/*.parquet')")
printf "   landed %d records in %.1f s, peak RSS %.0f MB (--max-buffer-bytes 256 MiB)\n" "$landed" "$secs" "$(echo "$rss / 1024" | bc -l)"
