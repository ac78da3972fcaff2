#!/usr/bin/env bash
# Every benchmark, each printing its baseline from the same run and the ratio (make bench).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "### produce: ticklake produce vs kcat -P (and kafka-python for scale)"
bash bench/produce_bench.sh
echo
echo "### produce and end to end vs kcat, on the embedded broker and on Apache Kafka"
bash bench/broker_bench.sh
echo
echo "### sink vs kcat -C and kcat -C -G, peak RSS, freshness, on the embedded broker and on Apache Kafka"
bash bench/sink_bench.sh
echo
echo "### iceberg: files, snapshots and query time vs the Hive layout"
bash bench/iceberg_bench.sh
echo
echo "### object store: S3Store vs curl and awscli against s3rver"
bash bench/s3_bench.sh
echo
echo "### crawl: a 10,000-object lake, local and on S3"
bash bench/crawl_bench.sh
echo
echo "### query: our Parquet layout vs the tutorial's one-object-per-file JSON"
build/query_bench
echo
echo "### console: /api/live and the page with 1M+ records landed and the producer at 50k msg/s"
bash bench/console_bench.sh
