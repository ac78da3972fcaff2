// SinkOptions: what `ticklake sink` is asked to do (its flags), and the checks of the flags that
// depend on one another, made before anything is opened. Plain values; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kafka/client.h"

namespace ticklake::lake {

enum class OnError { kDeadLetter, kSkip, kFail };
OnError ParseOnError(const std::string& text);  // dlq | skip | fail

struct SinkOptions {
  std::string bootstrap;
  std::string topic = "stock_market";
  std::string group = "ticklake-sink";
  std::string lake = "ticklake-data/lake";
  std::string format = "parquet";
  // Hive Parquet files' codec (ParquetCodec, lake_file_encoder.h): auto, zstd, snappy, ...
  std::string compression = "auto";
  // "hive": Hive-style folders + CommitLog; "iceberg": an Iceberg table in the SQL catalog
  // `catalog`, partitioned by `partition_by` in Iceberg form (`Index,day(ts)`).
  std::string table_format = "hive";
  double compact_every_s = 0;  // Iceberg: compact the table's small files this often; 0 = never
  bool s3_path_style = false;  // force path-style S3 addressing (automatic for custom endpoints)
  std::string partition_by = "Index";  // partition_spec.h
  int64_t flush_records = 100'000;
  int64_t flush_bytes = 64ll << 20;
  double flush_interval_s = 10;
  size_t max_record_bytes = 1 << 20;
  size_t max_buffer_bytes = 256ull << 20;
  OnError on_error = OnError::kDeadLetter;
  bool kafka_columns = true;
  kafka::Properties properties;  // -X overrides
  bool exit_at_end = false;      // stop once every assigned partition is read to its end
  bool drain_on_stop = false;    // on stop, first read up to the end offsets of that moment
  bool progress = false;         // a live progress line on stderr
  // Hive: when set, the table <topic> in this catalog is brought up to date within a second of
  // each commit (a crawl of the topic's folder only), so new data is queryable without a crawler.
  // Iceberg: the SQL catalog holding the table (required).
  std::string catalog;
  std::string catalog_database = "default";
  double connect_timeout_s = 10;
};

// Whether the options ask for an Iceberg table (--table-format iceberg) rather than Hive folders.
// Throws Error for an unknown table format.
bool WritesIceberg(const SinkOptions& options);

// Throws Error naming the flag when the options do not fit together (an unknown --format,
// --compression, --table-format or --partition-by; a Parquet codec for JSON Lines files; an
// Iceberg table in anything but zstd Parquet). The sink checks before it opens anything, so that
// a rejected command leaves no lake folder behind.
void CheckSinkOptions(const SinkOptions& options);

}  // namespace ticklake::lake
