// LakeFileEncoder: turns a batch of JSON Lines (records prepared by RecordParser) into one lake
// data file — Parquet (zstd) or JSON Lines (plain or gzip) — using embedded DuckDB, so the file's
// schema follows the records: columns are the union of the records' fields, numbers widen
// (int to double), ISO-8601 dates and timestamps become DATE and TIMESTAMP, nested objects and
// arrays become STRUCT and LIST, and values that do not fit one type are kept as JSON text.
// Partition fields are dropped from the file (they live in the Hive path).
// Not thread-safe: one encoder per thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/duckdb.h"

namespace ticklake::lake {

enum class LakeFormat { kParquet, kJsonl, kJsonlGzip };

LakeFormat ParseLakeFormat(std::string_view name);  // parquet | jsonl | jsonl.gz
std::string_view FileExtension(LakeFormat format);  // ".parquet", ".jsonl", ".jsonl.gz"

class LakeFileEncoder {
 public:
  LakeFileEncoder(LakeFormat format, bool kafka_columns, size_t max_record_bytes,
                  const std::filesystem::path& temp_dir);

  // Reads `jsonl` and writes `output`. `exclude` names the (lower-case) columns to drop.
  // Throws Error naming the files on failure.
  void Encode(const std::filesystem::path& jsonl, const std::vector<std::string>& exclude,
              const std::filesystem::path& output);

 private:
  LakeFormat format_;
  bool kafka_columns_;
  size_t max_record_bytes_;
  duck::Database db_;
  duck::Connection conn_;
};

}  // namespace ticklake::lake
