#!/usr/bin/env bash
# Installs what ticklake needs to build, and with --test what its tests and benchmarks need too,
# and nothing else: missing Debian packages, DuckDB 1.4.4 (header + libduckdb.so from npm) and
# uPlot (the console's charts) from npm, both sha256-pinned, and with --test the npm test peers
# and Apache Kafka's jars from Maven Central (scripts/kafka/pom.xml, for scripts/kafka-cluster.sh).
# Idempotent: a second run checks stamps and prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
DEPS=.deps

APT_PACKAGES=(
  cmake ninja-build g++ pkg-config
  librdkafka-dev libcurl4-openssl-dev libssl-dev libpugixml-dev libsqlite3-dev libsimdjson-dev
  libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev libavro-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Independent peers the tests and benchmarks check ticklake against; Chromium for the console's
# browser tests.
TEST_PACKAGES=(kcat python3-kafka python3-lz4 python3-prometheus-client awscli chromium python3-venv
  openjdk-17-jre-headless maven)
FOR_TESTS=0
[ "${1:-}" = "--test" ] && FOR_TESTS=1 && APT_PACKAGES+=("${TEST_PACKAGES[@]}")

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs may come from elsewhere (it bundles npm); only ask apt when the command is absent.
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: apt-get failed" >&2
    exit 1
  fi
  rm -f "$log"
fi

# fetch_npm NAME@VERSION SHA256 DEST: npm pack into a temp dir, verify, unpack into DEST.
fetch_npm() {
  local spec=$1 sha=$2 dest=$3 tmp
  [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$sha" ] && return 0
  echo "setup: fetching $spec"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  local tgz
  tgz=$(ls "$tmp"/*.tgz)
  echo "$sha  $tgz" | sha256sum --check --quiet || { echo "setup: sha256 mismatch for $spec" >&2; return 1; }
  rm -rf "$dest" && mkdir -p "$dest"
  tar xzf "$tgz" -C "$dest"
  echo "$sha" >"$dest/.sha256"
}

DUCKDB_VERSION=1.4.4
fetch_npm duckdb@$DUCKDB_VERSION \
  5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed $DEPS/npm/duckdb
fetch_npm @duckdb/node-bindings-linux-x64@$DUCKDB_VERSION-r.4 \
  732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b $DEPS/npm/duckdb-bindings

# The layout CMake imports: .deps/duckdb/{include/duckdb.h,lib/libduckdb.so}.
if [ ! -f $DEPS/duckdb/lib/libduckdb.so ] || [ $DEPS/npm/duckdb-bindings/.sha256 -nt $DEPS/duckdb/lib/libduckdb.so ]; then
  mkdir -p $DEPS/duckdb/include $DEPS/duckdb/lib
  cp $DEPS/npm/duckdb/package/src/duckdb/src/include/duckdb.h $DEPS/duckdb/include/
  cp $DEPS/npm/duckdb-bindings/package/libduckdb.so $DEPS/duckdb/lib/
fi

fetch_npm uplot@1.6.32 \
  4b8a8191e425658e3ea8c8c1314b0fc679c861ee3a1af2b20c7b16ba50b5133d $DEPS/npm/uplot

# npm test peers (tests/peers/package-lock.json pins every package with its integrity hash).
PEERS=$DEPS/peers
if [ $FOR_TESTS = 1 ] && { ! cmp -s tests/peers/package-lock.json $PEERS/package-lock.json || [ ! -d $PEERS/node_modules ]; }; then
  echo "setup: installing npm test peers"
  mkdir -p $PEERS
  cp tests/peers/package.json tests/peers/package-lock.json $PEERS/
  (cd $PEERS && npm ci --silent --no-audit --no-fund >/dev/null)
fi

# Python test peers from PyPI (pyiceberg reads and writes Iceberg tables) in .deps/venv, pinned by
# tests/peers/requirements.txt; the stamp is a copy of the file the venv was built from.
VENV=$DEPS/venv
if [ $FOR_TESTS = 1 ] && ! cmp -s tests/peers/requirements.txt $VENV/requirements.txt; then
  echo "setup: installing Python test peers (pyiceberg, pyarrow)"
  rm -rf $VENV
  /usr/bin/python3 -m venv $VENV
  log=$(mktemp)
  if ! $VENV/bin/pip install -q --disable-pip-version-check -r tests/peers/requirements.txt >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: pip install failed" >&2
    exit 1
  fi
  rm -f "$log"
  cp tests/peers/requirements.txt $VENV/requirements.txt
fi

# A real Apache Kafka for scripts/kafka-cluster.sh: the pinned broker and its dependencies from
# Maven Central, copied into $DEPS/kafka/lib; redone only when the pom changes. Also Kafka 3.9.1
# into $DEPS/kafka-3.9/lib, for the SCRAM test (librdkafka 2.0.2 cannot SCRAM with Kafka 4.x).
fetch_kafka() {
  local version=$1 dest=$DEPS/$2 stamp log
  stamp="$(sha256sum <scripts/kafka/pom.xml) $version"
  [ "$(cat "$dest/.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  echo "setup: fetching Apache Kafka${version:+ $version} (scripts/kafka/pom.xml) from Maven Central"
  log=$(mktemp)
  rm -rf "$dest/lib"
  if ! mvn -q -B -f scripts/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
    ${version:+-Dkafka.version=$version} -DoutputDirectory="$PWD/$dest/lib" >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: resolving Apache Kafka failed" >&2
    exit 1
  fi
  rm -f "$log"
  echo "$stamp" >"$dest/.stamp"
}
if [ $FOR_TESTS = 1 ]; then
  fetch_kafka "" kafka
  fetch_kafka 3.9.1 kafka-3.9
fi
