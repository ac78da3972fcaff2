#include "lake/lake_file_encoder.h"

#include <fmt/format.h>

#include "common/error.h"

namespace ticklake::lake {

LakeFormat ParseLakeFormat(std::string_view name) {
  if (name == "parquet") return LakeFormat::kParquet;
  if (name == "jsonl" || name == "json") return LakeFormat::kJsonl;
  if (name == "jsonl.gz" || name == "jsonl+gzip") return LakeFormat::kJsonlGzip;
  Fail("unknown lake format '{}': expected parquet, jsonl or jsonl.gz", name);
}

std::string_view FileExtension(LakeFormat format) {
  switch (format) {
    case LakeFormat::kParquet:
      return ".parquet";
    case LakeFormat::kJsonl:
      return ".jsonl";
    case LakeFormat::kJsonlGzip:
      return ".jsonl.gz";
  }
  return "";
}

namespace {
duck::DatabaseOptions EncoderDatabaseOptions(const std::filesystem::path& temp_dir) {
  duck::DatabaseOptions options;
  options.temp_directory = (temp_dir / "duckdb").string();
  // Encoding runs beside Kafka consumption: two threads are plenty for a batch.
  options.settings = {{"threads", "2"}, {"preserve_insertion_order", "true"}};
  return options;
}
}  // namespace

LakeFileEncoder::LakeFileEncoder(LakeFormat format, bool kafka_columns, size_t max_record_bytes,
                                 const std::filesystem::path& temp_dir)
    : format_(format),
      kafka_columns_(kafka_columns),
      max_record_bytes_(max_record_bytes),
      db_(EncoderDatabaseOptions(temp_dir)),
      conn_(db_) {}

void LakeFileEncoder::Encode(const std::filesystem::path& jsonl,
                             const std::vector<std::string>& exclude,
                             const std::filesystem::path& output) {
  std::string select = "SELECT *";
  if (!exclude.empty()) {
    select += " EXCLUDE (";
    for (size_t i = 0; i < exclude.size(); ++i)
      select += (i ? ", " : "") + duck::QuoteIdentifier(exclude[i]);
    select += ")";
  }
  if (kafka_columns_) {
    select +=
        " REPLACE (kafka_partition::INTEGER AS kafka_partition, epoch_ms(kafka_timestamp) AS "
        "kafka_timestamp)";
  }
  // sample_size=-1: infer the schema from every record, so a field first seen late is not lost.
  select += fmt::format(
      " FROM read_ndjson({}, sample_size=-1, maximum_object_size={}, timestampformat='iso')",
      duck::QuoteLiteral(jsonl.string()), max_record_bytes_ + 4096);
  std::string options;
  switch (format_) {
    case LakeFormat::kParquet:
      options = "FORMAT parquet, COMPRESSION zstd";
      break;
    case LakeFormat::kJsonl:
      options = "FORMAT json";
      break;
    case LakeFormat::kJsonlGzip:
      options = "FORMAT json, COMPRESSION gzip";
      break;
  }
  std::string sql =
      fmt::format("COPY ({}) TO {} ({})", select, duck::QuoteLiteral(output.string()), options);
  if (auto error = conn_.TryExecute(sql)) {
    Fail("cannot encode {} into {}: {}", jsonl.string(), output.string(), *error);
  }
}

}  // namespace ticklake::lake
