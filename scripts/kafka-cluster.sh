#!/usr/bin/env bash
# A real Apache Kafka cluster on this machine, for tests, benchmarks and anyone who wants one:
# KRaft (no ZooKeeper), every node both broker and controller, on free 127.0.0.1 ports.
#
#   scripts/kafka-cluster.sh start DIR [BROKERS] [--sasl-ssl PEM USER:PASSWORD]
#       (re)creates a cluster of 1-3 nodes (default 3) with its data under DIR, starts it and,
#       once the cluster answers metadata with every broker (kcat -L), writes the bootstrap list
#       to DIR/bootstrap. Topics default to replication factor min(3, BROKERS) and
#       min.insync.replicas min(2, BROKERS). With --sasl-ssl each broker also listens with
#       SASL_SSL (PEM holds the private key and certificate chain) for the user USER, with the
#       mechanisms SCRAM-SHA-512 and PLAIN, and DIR/bootstrap-sasl-ssl names those listeners.
#       (librdkafka before 2.6.1, Debian 12's 2.0.2 included, fails SCRAM against Kafka 4.x.)
#   scripts/kafka-cluster.sh stop DIR          stops every node (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka-cluster.sh kill DIR ID       kill -9 of node ID (1..BROKERS)
#   scripts/kafka-cluster.sh restart DIR ID    stops node ID if it runs, starts it again and
#                                              waits until the cluster lists it
#
# The broker (Apache Kafka, pinned in scripts/kafka/pom.xml) comes from Maven Central into
# .deps/kafka/lib (scripts/setup.sh --test); KAFKA_LIB overrides that folder. Java 17 runs it
# with a small heap (KAFKA_HEAP, default -Xmx384m). Each node's PID is in DIR/node-ID/pid and
# its log in DIR/node-ID/server.log; only those PIDs are ever signalled.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)  # also when run through a symlink
KAFKA_LIB=${KAFKA_LIB:-$ROOT/.deps/kafka/lib}
KAFKA_HEAP=${KAFKA_HEAP:--Xmx384m -Xms64m}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}

die() {
  echo "kafka-cluster: $*" >&2
  exit 1
}
usage() {
  sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# free_ports N: N distinct free TCP ports on 127.0.0.1 (bound together, so they differ).
free_ports() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# node_pid DIR ID: the PID of a running node, or nothing. The PID counts only while that process
# is still this node's JVM (its command line names the node's config), never a recycled PID.
node_pid() {
  local file=$1/node-$2/pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$1/node-$2/server.properties"; then
    echo "$pid"
  fi
}

nodes_of() { cat "$1/brokers" 2>/dev/null || die "$1 holds no cluster (no $1/brokers)"; }

java_cmd() { echo java $KAFKA_HEAP -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true; }

launch_node() {
  local dir=$1 id=$2 node=$1/node-$2
  # setsid: the node gets its own session, so a terminal's Ctrl-C does not reach it.
  setsid $(java_cmd) -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -Dkafka.node.log="$node/server.log" -cp "$KAFKA_LIB/*" kafka.Kafka "$node/server.properties" \
    >"$node/stdout.log" 2>&1 </dev/null &
  echo $! >"$node/pid"
}

# brokers_up DIR: how many brokers the cluster lists in its metadata.
brokers_up() {
  local bootstrap=$1
  kcat -b "$bootstrap" -L -m 3 -J 2>/dev/null | /usr/bin/python3 -c \
    'import json,sys; print(len(json.load(sys.stdin).get("brokers", [])))' 2>/dev/null || echo 0
}

# wait_brokers DIR BOOTSTRAP N: waits until the cluster lists N brokers.
wait_brokers() {
  local dir=$1 bootstrap=$2 want=$3 deadline=$((SECONDS + START_TIMEOUT))
  while [ "$(brokers_up "$bootstrap")" -lt "$want" ]; do
    if [ $SECONDS -ge $deadline ]; then
      for log in "$dir"/node-*/server.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2 || true; done
      die "the cluster in $dir did not list $want brokers within $START_TIMEOUT s"
    fi
    sleep 0.5
  done
}

stop_nodes() {
  local dir=$1 timeout=$2 pids=() id pid
  shift 2
  for id in "$@"; do
    pid=$(node_pid "$dir" "$id")
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  local deadline=$((SECONDS + timeout))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for id in "$@"; do rm -f "$dir/node-$id/pid"; done
}

cmd_start() {
  local dir=${1:-} brokers=3 pem="" user=""
  [ -n "$dir" ] || usage
  shift
  if [ $# -gt 0 ] && [[ $1 != --* ]]; then brokers=$1; shift; fi
  while [ $# -gt 0 ]; do
    case $1 in
      --sasl-ssl) [ $# -ge 3 ] || usage; pem=$(realpath "$2"); user=$3; shift 3 ;;
      *) usage ;;
    esac
  done
  [[ $brokers =~ ^[1-3]$ ]] || die "BROKERS must be 1, 2 or 3, not '$brokers'"
  [ -d "$KAFKA_LIB" ] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null ||
    die "no Kafka jars in $KAFKA_LIB: run scripts/setup.sh --test"
  command -v java >/dev/null || die "java not found: run scripts/setup.sh --test"
  command -v kcat >/dev/null || die "kcat not found: run scripts/setup.sh --test"
  if [ -n "$pem" ]; then
    [ -r "$pem" ] || die "cannot read $pem"
    [[ $user == *:* ]] || die "--sasl-ssl needs USER:PASSWORD, not '$user'"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  for id in 1 2 3; do
    [ -z "$(node_pid "$dir" $id)" ] || die "a cluster is running in $dir: stop it first"
  done
  rm -rf "$dir"/node-* "$dir/bootstrap" "$dir/bootstrap-sasl-ssl"

  local ports per=2
  [ -n "$pem" ] && per=3
  read -r -a ports <<<"$(free_ports $((brokers * per)))"
  local voters="" bootstrap="" sasl_bootstrap="" id
  for ((id = 1; id <= brokers; id++)); do
    voters+="${voters:+,}$id@127.0.0.1:${ports[(id - 1) * per + 1]}"
    bootstrap+="${bootstrap:+,}127.0.0.1:${ports[(id - 1) * per]}"
    [ -n "$pem" ] && sasl_bootstrap+="${sasl_bootstrap:+,}127.0.0.1:${ports[(id - 1) * per + 2]}"
  done
  local rf=$((brokers < 3 ? brokers : 3)) isr=$((brokers < 2 ? brokers : 2))

  cat >"$dir/log4j2.properties" <<'EOF'
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.node.log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.change.name = state.change.logger
logger.change.level = WARN
EOF
  # A random Kafka UUID (base64url of 16 bytes); like Kafka's own, never starting with '-',
  # which the format tool would take for an option.
  local cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  local format_args=()
  if [ -n "$pem" ]; then
    format_args=(--add-scram "SCRAM-SHA-512=[name=${user%%:*},password=${user#*:}]")
  fi
  for ((id = 1; id <= brokers; id++)); do
    local node=$dir/node-$id
    mkdir -p "$node/data"
    echo "127.0.0.1:${ports[(id - 1) * per]}" >"$node/address"
    local listeners="PLAINTEXT://127.0.0.1:${ports[(id - 1) * per]},CONTROLLER://127.0.0.1:${ports[(id - 1) * per + 1]}"
    local advertised="PLAINTEXT://127.0.0.1:${ports[(id - 1) * per]}"
    local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    if [ -n "$pem" ]; then
      listeners+=",SASL_SSL://127.0.0.1:${ports[(id - 1) * per + 2]}"
      advertised+=",SASL_SSL://127.0.0.1:${ports[(id - 1) * per + 2]}"
      protocols+=",SASL_SSL:SASL_SSL"
    fi
    cat >"$node/server.properties" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protocols
log.dirs=$node/data
num.partitions=6
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
# Small, quick test clusters: no delay before the first rebalance, retention checked every
# second from the start (tests see retention delete records within seconds).
group.initial.rebalance.delay.ms=0
log.retention.check.interval.ms=1000
log.initial.task.delay.ms=1000
num.network.threads=2
num.io.threads=4
background.threads=4
num.replica.fetchers=1
log.segment.bytes=16777216
EOF
    if [ -n "$pem" ]; then
      cat >>"$node/server.properties" <<EOF
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${user%%:*}="${user#*:}";
ssl.keystore.type=PEM
ssl.keystore.location=$pem
EOF
    fi
  done
  # Formatting is a JVM per node: run them side by side.
  local format_pids=()
  for ((id = 1; id <= brokers; id++)); do
    $(java_cmd) -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -Dkafka.node.log="$dir/node-$id/format.log" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool \
      format -t "$cluster_id" -c "$dir/node-$id/server.properties" "${format_args[@]}" \
      >"$dir/node-$id/format.out" 2>&1 &
    format_pids+=($!)
  done
  for ((id = 1; id <= brokers; id++)); do
    wait "${format_pids[id - 1]}" || { cat "$dir/node-$id/format.out" >&2; die "formatting node $id failed"; }
  done
  echo "$brokers" >"$dir/brokers"
  echo "$bootstrap" >"$dir/bootstrap.pending"
  for ((id = 1; id <= brokers; id++)); do launch_node "$dir" $id; done
  wait_brokers "$dir" "$bootstrap" "$brokers" || { stop_nodes "$dir" 10 $(seq "$brokers"); exit 1; }
  [ -n "$pem" ] && echo "$sasl_bootstrap" >"$dir/bootstrap-sasl-ssl"
  mv "$dir/bootstrap.pending" "$dir/bootstrap"
  echo "$bootstrap"
}

cmd_stop() {
  local dir=${1:-}
  [ -n "$dir" ] || usage
  [ -d "$dir" ] || die "no cluster in $dir"
  dir=$(cd "$dir" && pwd)
  stop_nodes "$dir" 30 $(seq "$(nodes_of "$dir")")
  rm -f "$dir/bootstrap"
}

node_arg() {
  local dir=$1 id=$2
  [[ $id =~ ^[1-9]$ ]] && [ "$id" -le "$(nodes_of "$dir")" ] || die "no node '$id' in $dir"
}

cmd_kill() {
  [ $# -eq 2 ] || usage
  local dir id=$2 pid
  dir=$(cd "$1" && pwd) || die "no cluster in $1"
  node_arg "$dir" "$id"
  pid=$(node_pid "$dir" "$id")
  [ -n "$pid" ] || die "node $id of $dir is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$dir/node-$id/pid"
}

cmd_restart() {
  [ $# -eq 2 ] || usage
  local dir id=$2
  dir=$(cd "$1" && pwd) || die "no cluster in $1"
  node_arg "$dir" "$id"
  stop_nodes "$dir" 30 "$id"
  launch_node "$dir" "$id"
  # Asked through the node itself: the others may still list it until its session times out.
  wait_brokers "$dir" "$(cat "$dir/node-$id/address")" "$(nodes_of "$dir")"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  *) usage ;;
esac
