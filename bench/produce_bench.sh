#!/usr/bin/env bash
# Producer throughput: `ticklake produce --rate max` against kcat -P sending the same number of
# pre-generated messages of the same size (the simulator's own JSON lines, keyed like ticklake's)
# to the same embedded broker, several runs, plus kafka-python for scale.
#
# Usage: bench/produce_bench.sh            (env: BUILD=build RUNS=3 COUNT=1000000 PY_COUNT=100000)
# Prints per run: both rates (messages / wall-clock seconds of the whole process, start-up and
# final flush included) and their ratio, and the CPU seconds (user + system, all threads) each
# producer used; then the median ratios. On a shared machine the CPU seconds vary less than the
# wall clock: with two cores and the broker on the same machine, CPU per message is what limits.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
COUNT=${COUNT:-1000000}
PY_COUNT=${PY_COUNT:-100000}
BIN=$BUILD/ticklake
[[ -x $BIN ]] || { echo "build first: make build" >&2; exit 1; }

tmp=$(mktemp -d)
broker_pid=""
cleanup() {
  [[ -n $broker_pid ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# One topic per run, shared by the three producers: the embedded broker picks each partition's
# leader at random, and with 14 keys on 6 partitions the leader layout decides how much of the
# compression one librdkafka I/O thread does (up to 70 % of it on one thread), so producers on
# different topics were not compared under the same conditions.
topics=()
for ((r = 1; r <= RUNS; r++)); do topics+=(-t "run_$r:6"); done
"$BIN" broker --bootstrap-file "$tmp/bootstrap" "${topics[@]}" -t python:6 >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker_pid=$!
for _ in $(seq 100); do [[ -s $tmp/bootstrap ]] && break; sleep 0.1; done
B=$(cat "$tmp/bootstrap")

"$BIN" produce --output "$tmp/messages.txt" --key-delimiter '\t' --count "$COUNT" --rate max \
  --seed 1 2>/dev/null
bytes=$(($(wc -c <"$tmp/messages.txt") / COUNT))
echo "broker $B; $COUNT messages per run, ~$bytes bytes per line (key + tab + JSON)"
echo "ticklake: defaults (idempotent, acks=all, lz4, murmur2); kcat: -z lz4, librdkafka defaults;"
echo "kcat-same: kcat with ticklake's producer properties"
# ticklake's default producer properties, for the kcat-same variant.
same=(-X enable.idempotence=true -X acks=all -X partitioner=murmur2_random -X compression.type=lz4
      -X linger.ms=5 -X batch.num.messages=100000 -X batch.size=1000000
      -X queue.buffering.max.messages=1000000)

now() { date +%s.%N; }
# cpu: user + system seconds of the last timed command.
timed() { /usr/bin/time -f '%U %S' -o "$tmp/time" "$@"; }
cpu() { awk '{print $1 + $2}' "$tmp/time"; }
ratios=()
same_ratios=()
tl_cpus=()
ks_cpus=()
run_ticklake() {
  local t0 t1
  t0=$(now)
  timed "$BIN" produce -b "$B" -t "run_$r" --rate max --count "$COUNT" --json >"$tmp/summary.json" 2>/dev/null
  t1=$(now)
  tl=$(echo "$COUNT / ($t1 - $t0)" | bc -l)
  tl_cpu=$(cpu)
}
run_kcat() {
  local t0 t1
  t0=$(now)
  timed kcat -P -b "$B" -t "run_$r" -K $'\t' -z lz4 <"$tmp/messages.txt"
  t1=$(now)
  kc=$(echo "$COUNT / ($t1 - $t0)" | bc -l)
  kc_cpu=$(cpu)
}
run_kcat_same() {
  local t0 t1
  t0=$(now)
  timed kcat -P -b "$B" -t "run_$r" -K $'\t' "${same[@]}" <"$tmp/messages.txt"
  t1=$(now)
  ks=$(echo "$COUNT / ($t1 - $t0)" | bc -l)
  ks_cpu=$(cpu)
}
for ((r = 1; r <= RUNS; r++)); do
  # Alternate the order: the broker holds more data (and memory) for whoever runs later.
  if ((r % 2)); then
    run_ticklake; run_kcat; run_kcat_same
  else
    run_kcat_same; run_kcat; run_ticklake
  fi
  read -r acked internal < <(/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["acknowledged"], round(s["rate"]))' "$tmp/summary.json")
  [[ $acked == "$COUNT" ]] || { echo "run $r: ticklake acknowledged $acked of $COUNT" >&2; exit 1; }
  ratio=$(echo "$tl / $kc" | bc -l)
  same_ratio=$(echo "$tl / $ks" | bc -l)
  ratios+=("$ratio")
  same_ratios+=("$same_ratio")
  printf 'run %d: ticklake %8.0f msg/s (own summary %s)  kcat %8.0f msg/s  ratio %.2f  kcat-same %8.0f msg/s  ratio %.2f  | cpu s: ticklake %.2f kcat %.2f kcat-same %.2f\n' \
    "$r" "$tl" "$internal" "$kc" "$ratio" "$ks" "$same_ratio" "$tl_cpu" "$kc_cpu" "$ks_cpu"
  tl_cpus+=("$tl_cpu"); ks_cpus+=("$ks_cpu")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf 'median ratio ticklake/kcat: %.2f   ticklake/kcat-same: %.2f   median cpu s: ticklake %.2f kcat-same %.2f\n' \
  "$(median "${ratios[@]}")" "$(median "${same_ratios[@]}")" "$(median "${tl_cpus[@]}")" "$(median "${ks_cpus[@]}")"

head -n "$PY_COUNT" "$tmp/messages.txt" >"$tmp/py_messages.txt"
/usr/bin/python3 - "$B" "$tmp/py_messages.txt" <<'PY'
import sys, time
from kafka import KafkaProducer
bootstrap, path = sys.argv[1], sys.argv[2]
lines = [l.rstrip(b"\n").split(b"\t", 1) for l in open(path, "rb")]
producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
start = time.time()
for key, value in lines:
    producer.send("python", key=key, value=value)
producer.flush()
elapsed = time.time() - start
print(f"kafka-python (acks=all, no compression): {len(lines)} messages, {len(lines) / elapsed:.0f} msg/s")
PY
