# Shared helpers for the benchmark scripts (sourced). Everything runs on 127.0.0.1 and is
# stopped on exit.
BIN=${BIN:-build/ticklake}
PIDS=()
WORK=$(mktemp -d /tmp/ticklake-bench.XXXXXX)
# Stops the processes in reverse order of start (clients before the broker they talk to), each
# with SIGTERM and 15 s to finish, then SIGKILL.
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    local pid=${PIDS[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_broker TOPIC:PARTITIONS... -> sets BOOTSTRAP
start_broker() {
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  "$BIN" broker "${args[@]}" --bootstrap-file "$WORK/bootstrap" 2>"$WORK/broker.log" >/dev/null &
  PIDS+=($!)
  for _ in $(seq 300); do [ -s "$WORK/bootstrap" ] && break; sleep 0.05; done
  BOOTSTRAP=$(cat "$WORK/bootstrap")
}

# start_s3 BUCKET -> sets S3_ENDPOINT and exports the AWS variables for it
start_s3() {
  mkdir -p "$WORK/s3"
  NODE_OPTIONS=--openssl-legacy-provider node tests/peers/s3rver.js "$WORK/s3" "$WORK/s3-endpoint" "$@" \
    2>"$WORK/s3.log" &
  PIDS+=($!)
  for _ in $(seq 300); do [ -s "$WORK/s3-endpoint" ] && break; sleep 0.05; done
  S3_ENDPOINT=$(cat "$WORK/s3-endpoint")
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
  export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
}

# seconds CMD...: runs CMD (its output discarded), prints its wall-clock seconds.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }
