# Shared helpers for the benchmark scripts (sourced). Everything runs on 127.0.0.1 on free ports
# and is stopped on exit, also when a script fails or is interrupted.
BIN=${BIN:-build/ticklake}
SQL=${SQL:-build/duckdb_sql}
PIDS=()      # processes to stop on exit, in order of start
CLUSTER=""   # the Apache Kafka cluster's folder while one may run
# Lakes written by the runs stay here until the script ends: on ext4 without a journal (this
# machine's) deleting thousands of files slows the file creations of the next minutes (the inode
# allocator skips recently freed inodes), which would charge a run for the previous one's cleanup.
WORK=$(mktemp -d /tmp/ticklake-bench.XXXXXX)
# ticklake produce's default producer properties, for kcat -P "with the same properties".
KCAT_PRODUCER=(-X enable.idempotence=true -X acks=all -X partitioner=murmur2_random
  -X compression.type=lz4 -X linger.ms=5 -X batch.num.messages=100000 -X batch.size=1000000
  -X queue.buffering.max.messages=1000000)
# Spreads keyed records over all partitions (the simulator has 14 keys), so that a topic fits the
# embedded broker's 5 MiB per partition; passed to both sides of a comparison.
SPREAD=(-X partitioner=random)

die() {
  echo "bench: $*" >&2
  exit 1
}

# stop_pid PID: SIGTERM, 15 s to finish, then SIGKILL; forgets the PID.
stop_pid() {
  local pid=$1 keep=() p
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# Stops the processes in reverse order of start (clients before the broker they talk to), then
# the Apache Kafka cluster.
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  stop_kafka
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_broker TOPIC:PARTITIONS... -> the embedded broker; sets BOOTSTRAP and BROKER_PID.
start_broker() {
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  rm -f "$WORK/bootstrap"
  "$BIN" broker "${args[@]}" --bootstrap-file "$WORK/bootstrap" 2>"$WORK/broker.log" >/dev/null &
  BROKER_PID=$!
  PIDS+=($!)
  for _ in $(seq 300); do [ -s "$WORK/bootstrap" ] && break; sleep 0.05; done
  [ -s "$WORK/bootstrap" ] || die "the embedded broker did not start: $(cat "$WORK/broker.log")"
  BOOTSTRAP=$(cat "$WORK/bootstrap")
}

# start_kafka TOPIC:PARTITIONS... -> a 3-broker Apache Kafka cluster (scripts/kafka-cluster.sh:
# replication factor 3, min.insync.replicas 2, group.initial.rebalance.delay.ms 0) with these
# topics; sets BOOTSTRAP and KAFKA_START_S (seconds until the cluster answered).
start_kafka() {
  local t0=$EPOCHREALTIME
  CLUSTER=$WORK/kafka-cluster
  BOOTSTRAP=$(scripts/kafka-cluster.sh start "$CLUSTER" 3 2>"$WORK/cluster.log") ||
    die "the Kafka cluster did not start: $(cat "$WORK/cluster.log")"
  KAFKA_START_S=$(elapsed "$t0")
  create_topics warmup:1 "$@"
  # The first idempotent producer and the first group create Kafka's internal topics
  # (__transaction_state, __consumer_offsets): do that here, not in whatever is timed first.
  echo warm | kcat -P -b "$BOOTSTRAP" -t warmup -X enable.idempotence=true 2>/dev/null ||
    die "producing to the new Kafka cluster failed"
  timeout 60 kcat -C -b "$BOOTSTRAP" -G warmup warmup -o beginning -e -q >/dev/null 2>&1 ||
    die "consuming as a group from the new Kafka cluster failed"
}

stop_kafka() {
  [ -n "$CLUSTER" ] && [ -d "$CLUSTER" ] || return 0
  scripts/kafka-cluster.sh stop "$CLUSTER" >/dev/null 2>&1 || true
  CLUSTER=""
}

# create_topics TOPIC:PARTITIONS...: creates the topics on the Apache Kafka cluster and waits until
# every partition has a leader (a consumer subscribed to a topic it cannot see yet would wait for
# its next metadata refresh).
create_topics() {
  /usr/bin/python3 - "$BOOTSTRAP" "$@" <<'PY' || die "creating topics $* failed"
import sys
from kafka.admin import KafkaAdminClient, NewTopic
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1].split(","))
admin.create_topics([NewTopic(name=t.split(":")[0], num_partitions=int(t.split(":")[1]),
                              replication_factor=3) for t in sys.argv[2:]], timeout_ms=60000)
admin.close()
PY
  local t deadline=$((SECONDS + 120))
  for t in "$@"; do
    until [ "$(kcat -L -b "$BOOTSTRAP" -t "${t%%:*}" 2>/dev/null | grep -c ', leader [0-9]')" -eq "${t#*:}" ]; do
      [ $SECONDS -lt $deadline ] || die "topic $t has no leader for every partition after 120 s"
      sleep 0.2
    done
  done
}

# start_brokers embedded|kafka TOPIC:PARTITIONS... -> sets BOOTSTRAP and BROKER_LABEL.
start_brokers() {
  local kind=$1
  shift
  case $kind in
    embedded)
      start_broker "$@"
      BROKER_LABEL="embedded broker (ticklake broker: librdkafka mock cluster, 3 brokers)" ;;
    kafka)
      start_kafka "$@"
      BROKER_LABEL="Apache Kafka, 3 brokers, replication factor 3 (cluster started in ${KAFKA_START_S} s)" ;;
    *) die "unknown broker '$kind' (embedded or kafka)" ;;
  esac
}

stop_brokers() {
  case $1 in
    embedded) stop_pid "$BROKER_PID" ;;
    kafka) stop_kafka ;;
  esac
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

# messages FILE COUNT SEED: COUNT simulator records as KEY<tab>JSON lines (what kcat -P -K reads).
messages() {
  "$BIN" produce --output "$1" --key-delimiter '\t' --count "$2" --rate max --seed "$3" 2>/dev/null
}

# kcat_produce FILE TOPIC ARGS...: kcat -P of FILE's KEY<tab>JSON lines with ticklake's producer
# properties (and ARGS).
kcat_produce() {
  kcat -P -b "$BOOTSTRAP" -t "$2" -K $'\t' "${KCAT_PRODUCER[@]}" "${@:3}" <"$1" 2>"$WORK/kcat-p.log" ||
    die "kcat -P to $2 failed: $(tail -n 5 "$WORK/kcat-p.log")"
}

# held TOPIC PARTITIONS: how many records the broker holds in the topic (end minus start offsets).
held() {
  local end start
  end=$(offsets_sum "$1" "$2" -1) && start=$(offsets_sum "$1" "$2" -2) || die "kcat -Q of $1 failed"
  echo $((end - start))
}
# offsets_sum TOPIC PARTITIONS -1|-2: the sum of the partitions' end (-1) or start (-2) offsets
# (one query each: kcat -Q answers a partition named twice only once).
offsets_sum() {
  local args=() p
  for ((p = 0; p < $2; p++)); do args+=(-t "$1:$p:$3"); done
  kcat -Q -b "$BOOTSTRAP" "${args[@]}" | awk -v n="$2" '{s += $NF; m++} END {if (m != n) exit 1; print s}'
}

# committed LAKE TOPIC: records committed in the lake (sum of the partitions' next offsets).
committed() {
  local f=("$1/_ticklake/sink/$2"/partition-*.json)
  [ -e "${f[0]}" ] || { echo 0; return; }
  awk 'match($0, /"next_offset": *[0-9]+/) {s += substr($0, RSTART + 14, RLENGTH - 14)}
       END {print s + 0}' "${f[@]}" 2>/dev/null || echo 0
}

# check_landed LAKE TOPIC COUNT: fails unless exactly COUNT records are committed and in Parquet;
# sets FILES (how many Parquet files hold them).
check_landed() {
  local c p
  c=$(committed "$1" "$2")
  read -r p FILES < <("$SQL" "SELECT count(*), count(DISTINCT filename) FROM read_parquet('$1/$2/**/*.parquet', filename=true)") ||
    die "reading $1/$2 failed"
  [ "$c" -eq "$3" ] && [ "$p" -eq "$3" ] ||
    die "the sink landed $p of $3 records of $2 as Parquet (committed offsets: $c)"
}

# run_timed LOG CMD...: runs CMD (stdout discarded), its stderr lines stamped with the time into
# LOG; sets ELAPSED (wall-clock seconds of the whole process); returns CMD's exit status.
run_timed() {
  local log=$1 t0 rc=0 line
  shift
  t0=$EPOCHREALTIME
  echo "$t0 start" >"$log"
  "$@" 2>&1 >/dev/null | while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done >>"$log" ||
    rc=$?
  ELAPSED=$(elapsed "$t0")
  return $rc
}

# joined LOG TEXT: seconds from the start of a run_timed run to its first stderr line holding TEXT
# (a consumer's group join: "assigned" from ticklake sink, "rebalanced" from kcat -G).
joined() {
  awk -v s="$2" 'NR == 1 {t0 = $1} NR > 1 && index($0, s) {printf "%.2f\n", $1 - t0; f = 1; exit}
                 END {if (!f) print "nan"}' "$1"
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", b - a}'; }
# seconds CMD...: runs CMD (its output discarded), prints its wall-clock seconds.
seconds() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  elapsed "$t0"
}
per_second() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f\n", (s > 0 ? n / s : 0)}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
median_of() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f\n", a / b}'; }
# timed CMD...: runs CMD in this shell, sets ELAPSED (its wall-clock seconds).
timed() {
  local t0=$EPOCHREALTIME
  "$@"
  ELAPSED=$(elapsed "$t0")
}
