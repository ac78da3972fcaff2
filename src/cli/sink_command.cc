#include <fmt/format.h>

#include "cli/commands.h"
#include "common/error.h"
#include "common/stop.h"
#include "common/units.h"
#include "console/metrics_server.h"
#include "lake/sink.h"

namespace ticklake::cli {

Runner AddSinkCommand(CLI::App& app) {
  struct Options {
    lake::SinkOptions sink;
    std::vector<std::string> properties;
    std::string on_error = "dlq";
    std::string flush_bytes = "64M", max_buffer_bytes = "256M";
    bool json = false;
    std::string metrics_listen;
  };
  auto opts = std::make_shared<Options>();
  auto& s = opts->sink;
  CLI::App* sub = app.add_subcommand(
      "sink",
      "Consume a topic as a consumer-group member and land every record exactly once in the lake");
  sub->footer(
      "Examples:\n"
      "  ticklake sink -b 127.0.0.1:9092 -t stock_market -G lake-writers --lake ticklake-data/lake "
      "-e");
  sub->add_option("-b,--bootstrap-server", s.bootstrap, "Kafka bootstrap servers (host:port,...)")
      ->required();
  sub->add_option("-t,--topic", s.topic, "Topic to consume")->capture_default_str();
  sub->add_option("-G,--group", s.group,
                  "Consumer group id (sinks sharing it share the partitions)")
      ->capture_default_str();
  sub->add_option("--lake", s.lake, "Lake root: a directory or file://path")->capture_default_str();
  sub->add_flag(
      "--s3-path-style", s.s3_path_style,
      "Use path-style S3 URLs (automatic when AWS_ENDPOINT_URL[_S3] names a custom endpoint)");
  sub->add_option("--format", s.format, "File format: parquet, jsonl or jsonl.gz")
      ->capture_default_str();
  sub->add_option("--compression", s.compression,
                  "Parquet codec: auto (zstd, snappy for files under 4096 rows, where zstd's "
                  "per-page set-up costs more than it saves), zstd, snappy, lz4, gzip or "
                  "uncompressed")
      ->capture_default_str();
  sub->add_option("--table-format", s.table_format,
                  "hive (key=value folders, crawled into the catalog) or iceberg (an Apache "
                  "Iceberg v2 table in the SQL catalog --catalog, committed exactly once)")
      ->capture_default_str();
  sub->add_option("--compact-every", s.compact_every_s,
                  "Iceberg: rewrite the table's small files every SECS seconds, between flushes "
                  "(0 = never; or run `ticklake compact`)")
      ->capture_default_str()
      ->check(kNonNegative);
  sub->add_option(
         "--partition-by", s.partition_by,
         "Hive partition folders: record fields and/or KEY=UNIT(SOURCE) time buckets, e.g. "
         "'Index,dt=day(ts)' (UNIT year|month|day|hour, SOURCE a field or kafka); with "
         "--table-format iceberg the partition spec: FIELD or UNIT(FIELD), e.g. 'Index,day(ts)'; "
         "'' for none")
      ->capture_default_str();
  sub->add_option("--flush-records", s.flush_records, "Close a file after this many records")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--flush-bytes", opts->flush_bytes,
                  "Close a file after this many buffered bytes (e.g. 64M)")
      ->capture_default_str();
  sub->add_option("--flush-interval", s.flush_interval_s,
                  "Close a file this many seconds after its first record")
      ->capture_default_str()
      ->check(kNonNegative);
  sub->add_option("--max-record-bytes", s.max_record_bytes, "Larger records are errors")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--max-buffer-bytes", opts->max_buffer_bytes,
                  "Memory bound for the records held: buffered, in flight, being encoded (e.g. "
                  "256M); librdkafka's prefetch is derived from it")
      ->capture_default_str();
  sub->add_option("--on-error", opts->on_error, "Bad records: dlq (to _errors/), skip, or fail")
      ->capture_default_str();
  sub->add_flag("--kafka-columns,!--no-kafka-columns", s.kafka_columns,
                "Add kafka_topic, kafka_partition, kafka_offset, kafka_timestamp columns")
      ->capture_default_str();
  sub->add_option("-X", opts->properties, "librdkafka consumer property key=value (repeatable)");
  sub->add_option("--connect-timeout", s.connect_timeout_s,
                  "Seconds to wait for the Kafka cluster at start")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option(
      "--catalog", s.catalog,
      "Keep this catalog's table for the topic current after each commit (no crawler needed); "
      "with --table-format iceberg the Iceberg SQL catalog (default ticklake-data/catalog.db)");
  sub->add_option("--database", s.catalog_database, "Catalog database for --catalog")
      ->capture_default_str();
  sub->add_flag("-e,--exit-at-end", s.exit_at_end,
                "Exit once every assigned partition is read to its end");
  sub->add_flag("--json", opts->json, "Print the summary as JSON on stdout");
  sub->add_option("--metrics-listen", opts->metrics_listen,
                  "Serve Prometheus /metrics on HOST:PORT (e.g. 127.0.0.1:9464)");
  return [opts] {
    auto metrics = console::MaybeServeMetrics(opts->metrics_listen, "sink");
    auto& s = opts->sink;
    s.properties = kafka::ParseProperties(opts->properties);
    s.on_error = lake::ParseOnError(opts->on_error);
    s.flush_bytes = static_cast<int64_t>(ParseByteSize(opts->flush_bytes, "--flush-bytes"));
    s.max_buffer_bytes = ParseByteSize(opts->max_buffer_bytes, "--max-buffer-bytes");
    if (s.flush_bytes <= 0 || s.max_buffer_bytes == 0)
      Fail("--flush-bytes and --max-buffer-bytes must be positive");
    s.progress = true;
    if (s.table_format == "iceberg" && s.catalog.empty()) s.catalog = "ticklake-data/catalog.db";
    lake::SinkSummary summary = lake::RunSink(s, StopRequested);
    if (opts->json) fmt::print("{}\n", lake::SummaryJson(s, summary));
    fmt::print(stderr,
               "ticklake sink: {} records consumed, {} written, {} errors, {} files ({:.1f} MB) in "
               "{:.1f} s\n",
               summary.records_consumed, summary.records_written, summary.error_records,
               summary.files_written, static_cast<double>(summary.bytes_written) / 1e6,
               summary.seconds);
    if (summary.records_missing > 0) {
      fmt::print(
          stderr,
          "ticklake sink: ERROR {} records were lost to broker retention before they were read\n",
          summary.records_missing);
      return 2;
    }
    return 0;
  };
}

}  // namespace ticklake::cli
