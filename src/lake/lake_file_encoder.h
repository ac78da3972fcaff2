// LakeFileEncoder: turns a batch of JSON Lines (records prepared by RecordParser) into one lake
// data file — Parquet (zstd) or JSON Lines (plain or gzip) — using embedded DuckDB, so the file's
// schema follows the records: columns are the union of the records' fields, numbers widen
// (int to double), ISO-8601 dates and timestamps become DATE and TIMESTAMP, and values that do
// not fit one type are kept as text (json_types.h). Partition fields are dropped from the file
// (they live in the Hive path).
//
// Flat records (the common case) are parsed with simdjson and appended to DuckDB as typed
// columns; a batch with nested objects or arrays goes through DuckDB's read_json instead, which
// turns them into STRUCT and LIST columns.
// Not thread-safe: one encoder per thread.
#pragma once

#include <simdjson.h>

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

  // Encodes `jsonl` (newline-terminated JSON objects) into `output`. `exclude` names the
  // (lower-case) columns to drop. Throws Error naming the output on failure. The contents of
  // `jsonl` are not changed, but its capacity may grow by a few bytes (simdjson's padding).
  void Encode(std::string& jsonl, const std::vector<std::string>& exclude,
              const std::filesystem::path& output);

 private:
  // Loads flat records into the table "batch"; false when a record holds a nested value or two
  // keys differ only in case (cases read_json handles).
  bool LoadFlat(std::string& jsonl);
  void LoadWithReadJson(std::string_view jsonl);

  LakeFormat format_;
  bool kafka_columns_;
  size_t max_record_bytes_;
  std::filesystem::path temp_dir_;
  duck::Database db_;
  duck::Connection conn_;
  simdjson::dom::parser parser_;
};

}  // namespace ticklake::lake
