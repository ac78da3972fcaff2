#include "lake/sink_options.h"

#include "common/error.h"
#include "lake/lake_file_encoder.h"
#include "lake/partition_spec.h"

namespace ticklake::lake {

OnError ParseOnError(const std::string& text) {
  if (text == "dlq") return OnError::kDeadLetter;
  if (text == "skip") return OnError::kSkip;
  if (text == "fail") return OnError::kFail;
  Fail("unknown --on-error '{}': expected dlq, skip or fail", text);
}

bool WritesIceberg(const SinkOptions& options) {
  if (options.table_format == "iceberg") return true;
  if (options.table_format == "hive") return false;
  Fail("unknown --table-format '{}': expected hive or iceberg", options.table_format);
}

void CheckSinkOptions(const SinkOptions& options) {
  const bool iceberg = WritesIceberg(options);
  ParseLakeFormat(options.format);
  ParseParquetCodec(options.compression);
  if (!iceberg) ParsePartitionSpec(options.partition_by);
  if (options.format != "parquet" && options.compression != "auto")
    Fail("--compression {} applies to Parquet files, not {} (jsonl.gz is gzip)",
         options.compression, options.format);
  if (iceberg && options.format != "parquet")
    Fail("Iceberg tables are written as Parquet, not {}", options.format);
  if (iceberg && options.compression != "auto" && options.compression != "zstd")
    Fail("--compression {}: Iceberg tables are written with zstd (write.parquet.compression-codec)",
         options.compression);
}

}  // namespace ticklake::lake
