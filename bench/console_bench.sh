#!/usr/bin/env bash
# Web console under load (docs/console.md): 1M+ records landed by a sink and the producer at RATE
# msg/s. Measures, in the same run:
#  - GET /api/live (the whole pipeline view) against its baseline `kcat -L` (one metadata request
#    of the same cluster), p50/p99 over SAMPLES requests each;
#  - the page in headless Chromium: first render, updates per second, largest gap, catalog tab;
#  - a query over everything landed, through POST /api/query.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
RECORDS=${RECORDS:-1000000}
RATE=${RATE:-50000}
SAMPLES=${SAMPLES:-40}

start_broker stock_market:48
"$BIN" sink -b "$BOOTSTRAP" --lake "$WORK/lake" --catalog "$WORK/catalog.db" --flush-interval 2 2>"$WORK/sink.log" &
PIDS+=($!)
"$BIN" produce -b "$BOOTSTRAP" --rate max --count "$RECORDS" 2>/dev/null
"$BIN" console -b "$BOOTSTRAP" --lake "$WORK/lake" --catalog "$WORK/catalog.db" --data-dir "$WORK/data" \
  --listen 127.0.0.1:0 2>"$WORK/console.log" &
PIDS+=($!)
for _ in $(seq 300); do grep -q serving "$WORK/console.log" && break; sleep 0.05; done
URL=$(grep -o 'http://[^ ]*' "$WORK/console.log")
# Wait until the sink has committed every pre-filled record.
committed() { curl -s "${URL}api/live" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(g["committed_total"] for g in d.get("groups", [])))'; }
for _ in $(seq 600); do [ "$(committed)" -ge "$RECORDS" ] && break; sleep 0.5; done
echo "== console with $(committed) records landed, producer at $RATE msg/s"

"$BIN" produce -b "$BOOTSTRAP" --rate "$RATE" --duration 60 2>/dev/null &
producer=$!
PIDS+=($producer)
sleep 2  # let the producer reach its rate
live=() ; kcat_l=()
for _ in $(seq "$SAMPLES"); do
  live+=("$(curl -s -o /dev/null -w '%{time_total}' "${URL}api/live")")
  kcat_l+=("$(seconds kcat -L -b "$BOOTSTRAP")")
  sleep 0.25
done
p() { printf '%s\n' "${@:2}" | sort -g | awk -v q="$1" '{a[NR]=$1} END {i=int(q*NR+0.999); if (i<1) i=1; print a[i]*1000}'; }
printf "   GET /api/live: p50 %.1f ms, p99 %.1f ms | kcat -L: p50 %.1f ms, p99 %.1f ms | p50 ratio %s\n" \
  "$(p 0.5 "${live[@]}")" "$(p 0.99 "${live[@]}")" "$(p 0.5 "${kcat_l[@]}")" "$(p 0.99 "${kcat_l[@]}")" \
  "$(ratio "$(p 0.5 "${live[@]}")" "$(p 0.5 "${kcat_l[@]}")")"
page=$(node bench/console_page.js "$URL" 10)
echo "   page: $page"
q=$(curl -s -w ' %{time_total}' -H 'Content-Type: application/json' \
  -d '{"sql":"SELECT count(*) AS n, count(DISTINCT \"index\") AS indices FROM stock_market"}' "${URL}api/query")
echo "   query over the lake: $(echo "$q" | /usr/bin/python3 -c '
import json, sys
body, secs = sys.stdin.read().rsplit(" ", 1)
rows = json.loads(body)["rows"]
print("%s rows counted, %.0f ms over HTTP" % (rows[0][0], float(secs) * 1000))')"
metrics=$(curl -s "${URL}metrics" | grep -E '^ticklake_console_sample_seconds_(sum|count)' | awk '{print $2}' | paste -sd' ')
echo "   monitor sample time: mean $(echo "$metrics" | awk '{printf "%.1f ms over %d samples", $1/$2*1000, $2}')"
kill "$producer" 2>/dev/null || true
