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
//
// EncodeAll writes many files (a sink flush: one per Hive partition per Kafka partition) from one
// load and one partitioned COPY, because a statement per file costs milliseconds of fixed overhead
// that dominates small files. The files of one call then share one schema (the union).
// Not thread-safe: one encoder per thread.
#pragma once

#include <simdjson.h>

#include <filesystem>
#include <optional>
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

  struct File {
    std::string* jsonl;  // newline-terminated JSON objects, at least one
    std::filesystem::path output;
  };
  // Encodes each file's records into its output, as Encode does; `exclude` applies to all.
  void EncodeAll(const std::vector<File>& files, const std::vector<std::string>& exclude);

 private:
  // Loads flat records into the table "batch", with the column kFileColumn holding the index of
  // each record's file when there is more than one; false when a record holds a nested value or
  // two keys differ only in case (cases read_json handles).
  bool LoadFlat(const std::vector<File>& files);
  void LoadWithReadJson(std::string_view jsonl);
  // COPY of the table "batch" to `output`: all of it (nullopt), the records of one file of an
  // EncodeAll, or every file at once into the directory `output` (kAllFiles).
  void Copy(const std::vector<std::string>& exclude, const std::filesystem::path& output,
            std::optional<size_t> file);

  LakeFormat format_;
  bool kafka_columns_;
  size_t max_record_bytes_;
  std::filesystem::path temp_dir_;
  duck::Database db_;
  duck::Connection conn_;
  simdjson::dom::parser parser_;
};

}  // namespace ticklake::lake
