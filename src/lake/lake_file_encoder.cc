#include "lake/lake_file_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <unordered_map>

#include "common/error.h"
#include "common/strings.h"
#include "lake/json_types.h"

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

// The column that says which file of an EncodeAll call a record belongs to.
constexpr const char* kFileColumn = "__ticklake_file";
// Copy's `file` that writes every file at once, partitioned by kFileColumn.
constexpr size_t kAllFiles = SIZE_MAX;

duck::DatabaseOptions EncoderDatabaseOptions(const std::filesystem::path& temp_dir) {
  duck::DatabaseOptions options;
  options.temp_directory = (temp_dir / "duckdb").string();
  // Encoding runs beside Kafka consumption: two threads are plenty for a batch.
  options.settings = {{"threads", "2"},
                      {"preserve_insertion_order", "true"},
                      // A partitioned COPY writes one file per sink file: keep all of them open
                      // (more open partitions than this would split a file in two).
                      {"partitioned_write_max_open_files", "100000"}};
  return options;
}

class Appender {
 public:
  Appender(duck::Connection& conn, const char* table) {
    if (duckdb_appender_create(conn.handle(), nullptr, table, &appender_) == DuckDBError) {
      std::string message = duckdb_appender_error(appender_);
      duckdb_appender_destroy(&appender_);
      Fail("duckdb: cannot append to {}: {}", table, message);
    }
  }
  ~Appender() { duckdb_appender_destroy(&appender_); }
  duckdb_appender get() { return appender_; }
  void Check(duckdb_state state) {
    if (state == DuckDBError) Fail("duckdb: append failed: {}", duckdb_appender_error(appender_));
  }

 private:
  duckdb_appender appender_ = nullptr;
};

struct Column {
  std::string name;
  ColumnEvidence evidence;
  ColumnType type = ColumnType::kVarchar;
};

duckdb_type DuckType(ColumnType type) {
  switch (type) {
    case ColumnType::kBoolean:
      return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::kBigint:
      return DUCKDB_TYPE_BIGINT;
    case ColumnType::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnType::kDate:
      return DUCKDB_TYPE_DATE;
    case ColumnType::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP;
    case ColumnType::kVarchar:
      return DUCKDB_TYPE_VARCHAR;
  }
  return DUCKDB_TYPE_VARCHAR;
}

// One DuckDB data chunk of the batch's column types, written in place.
class DataChunk {
 public:
  explicit DataChunk(const std::vector<Column>& columns) {
    std::vector<duckdb_logical_type> types;
    for (const auto& c : columns) types.push_back(duckdb_create_logical_type(DuckType(c.type)));
    chunk_ = duckdb_create_data_chunk(types.data(), types.size());
    for (auto& t : types) duckdb_destroy_logical_type(&t);
    Reset(columns.size());
  }
  ~DataChunk() { duckdb_destroy_data_chunk(&chunk_); }
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;

  void SetNull(size_t column, idx_t row) {
    duckdb_validity_set_row_invalid(validity_[column], row);
  }

  void SetBigint(size_t column, idx_t row, int64_t value) {
    static_cast<int64_t*>(data_[column])[row] = value;
  }

  void Set(size_t column, idx_t row, ColumnType type, simdjson::dom::element v) {
    void* data = data_[column];
    switch (type) {
      case ColumnType::kBoolean:
        static_cast<bool*>(data)[row] = v.get_bool().value_unsafe();
        break;
      case ColumnType::kBigint:
        static_cast<int64_t*>(data)[row] = v.get_int64().value_unsafe();
        break;
      case ColumnType::kDouble:
        static_cast<double*>(data)[row] = v.get_double().value_unsafe();
        break;
      case ColumnType::kDate:
        static_cast<duckdb_date*>(data)[row] =
            duckdb_date{*ParseIsoDate(v.get_string().value_unsafe())};
        break;
      case ColumnType::kTimestamp: {
        std::string_view text = v.get_string().value_unsafe();
        auto micros = ParseIsoTimestamp(text);
        if (!micros) micros = int64_t{*ParseIsoDate(text)} * 86'400'000'000;
        static_cast<duckdb_timestamp*>(data)[row] = duckdb_timestamp{*micros};
        break;
      }
      case ColumnType::kVarchar: {
        // Strings as they are; numbers and booleans in a text column as their JSON text.
        if (v.is_string()) {
          std::string_view text = v.get_string().value_unsafe();
          duckdb_vector_assign_string_element_len(vectors_[column], row, text.data(), text.size());
        } else {
          std::string text = simdjson::minify(v);
          duckdb_vector_assign_string_element_len(vectors_[column], row, text.data(), text.size());
        }
        break;
      }
    }
  }

  void AppendTo(Appender& appender, idx_t rows) {
    duckdb_data_chunk_set_size(chunk_, rows);
    appender.Check(duckdb_append_data_chunk(appender.get(), chunk_));
    duckdb_data_chunk_reset(chunk_);
    Reset(vectors_.size());
  }

 private:
  void Reset(size_t count) {
    vectors_.resize(count);
    data_.resize(count);
    validity_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      vectors_[i] = duckdb_data_chunk_get_vector(chunk_, i);
      duckdb_vector_ensure_validity_writable(vectors_[i]);
      data_[i] = duckdb_vector_get_data(vectors_[i]);
      validity_[i] = duckdb_vector_get_validity(vectors_[i]);
    }
  }

  duckdb_data_chunk chunk_;
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace

LakeFileEncoder::LakeFileEncoder(LakeFormat format, bool kafka_columns, size_t max_record_bytes,
                                 const std::filesystem::path& temp_dir)
    : format_(format),
      kafka_columns_(kafka_columns),
      max_record_bytes_(max_record_bytes),
      temp_dir_(temp_dir),
      db_(EncoderDatabaseOptions(temp_dir)),
      conn_(db_) {}

bool LakeFileEncoder::LoadFlat(const std::vector<File>& files) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: reserve them in place rather than
  // copying batches that may be hundreds of MB.
  for (const File& file : files)
    file.jsonl->reserve(file.jsonl->size() + simdjson::SIMDJSON_PADDING);
  auto parse_all = [&](const std::string& jsonl, simdjson::dom::document_stream& records) {
    return parser_
        .parse_many(static_cast<const char*>(jsonl.data()), jsonl.size(),
                    simdjson::dom::DEFAULT_BATCH_SIZE)
        .get(records);
  };
  std::vector<Column> columns;
  std::unordered_map<std::string, size_t> index;  // by lower-case name
  const bool by_file = files.size() > 1;

  // Pass 1: the columns, in order of first appearance, and what each has seen.
  simdjson::dom::document_stream records;
  for (const File& file : files) {
    if (parse_all(*file.jsonl, records)) return false;
    for (auto record : records) {
      simdjson::dom::object object;
      if (record.get(object)) return false;
      size_t position = 0;
      for (auto field : object) {
        // Records of one producer list their fields in the same order: try the same slot first.
        size_t column;
        if (position < columns.size() && columns[position].name == field.key) {
          column = position;
        } else {
          std::string lower = AsciiLower(field.key);
          if (by_file && lower == kFileColumn) return false;
          auto [it, added] = index.try_emplace(lower, columns.size());
          if (added) {
            columns.push_back({std::string(field.key), {}, {}});
          } else if (columns[it->second].name != field.key) {
            return false;  // "Close" and "close": let read_json decide
          }
          column = it->second;
        }
        ++position;
        ColumnEvidence& e = columns[column].evidence;
        switch (field.value.type()) {
          case simdjson::dom::element_type::INT64:
            e.integers = true;
            break;
          case simdjson::dom::element_type::UINT64:
          case simdjson::dom::element_type::DOUBLE:
            e.decimals = true;
            break;
          case simdjson::dom::element_type::BOOL:
            e.booleans = true;
            break;
          case simdjson::dom::element_type::NULL_VALUE:
            break;
          case simdjson::dom::element_type::STRING: {
            std::string_view text = field.value.get_string().value_unsafe();
            if (ParseIsoDate(text)) {
              e.dates = true;
            } else if (ParseIsoTimestamp(text)) {
              e.timestamps = true;
            } else {
              e.other_strings = true;
            }
            break;
          }
          default:
            return false;  // nested
        }
      }
    }
  }
  if (columns.empty()) return false;

  std::string create = "CREATE OR REPLACE TEMP TABLE batch (";
  for (size_t i = 0; i < columns.size(); ++i) {
    columns[i].type = columns[i].evidence.Resolve();
    create += fmt::format("{}{} {}", i ? ", " : "", duck::QuoteIdentifier(columns[i].name),
                          SqlTypeName(columns[i].type));
  }
  const size_t record_columns = columns.size();
  if (by_file) {
    columns.push_back({kFileColumn, {}, ColumnType::kBigint});
    create += fmt::format(", {} BIGINT", kFileColumn);
  }
  conn_.Query(create + ")");

  // Pass 2: fill DuckDB data chunks column by column and append them.
  DataChunk chunk(columns);
  Appender appender(conn_, "batch");
  std::vector<simdjson::dom::element> values(record_columns);
  std::vector<char> present(record_columns);
  const idx_t capacity = duckdb_vector_size();
  idx_t row = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    if (parse_all(*files[f].jsonl, records)) return false;
    for (auto record : records) {
      std::fill(present.begin(), present.end(), 0);
      simdjson::dom::object object = record.get_object().value_unsafe();
      size_t position = 0;
      for (auto field : object) {
        size_t column = position < record_columns && columns[position].name == field.key
                            ? position
                            : index.find(AsciiLower(field.key))->second;
        values[column] = field.value;
        present[column] = 1;
        ++position;
      }
      for (size_t i = 0; i < record_columns; ++i) {
        if (!present[i] || values[i].is_null()) {
          chunk.SetNull(i, row);
        } else {
          chunk.Set(i, row, columns[i].type, values[i]);
        }
      }
      if (by_file) chunk.SetBigint(record_columns, row, static_cast<int64_t>(f));
      if (++row == capacity) {
        chunk.AppendTo(appender, row);
        row = 0;
      }
    }
  }
  if (row > 0) chunk.AppendTo(appender, row);
  appender.Check(duckdb_appender_flush(appender.get()));
  return true;
}

void LakeFileEncoder::LoadWithReadJson(std::string_view jsonl) {
  std::filesystem::path file = temp_dir_ / "batch.jsonl";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(jsonl.data(), static_cast<std::streamsize>(jsonl.size()));
    if (!out.flush()) Fail("cannot write {}: {}", file.string(), ErrnoMessage());
  }
  // sample_size=-1: infer the schema from every record, so a field first seen late is not lost.
  conn_.Query(fmt::format(
      "CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM read_ndjson({}, sample_size=-1, "
      "maximum_object_size={}, timestampformat='iso')",
      duck::QuoteLiteral(file.string()), max_record_bytes_ + 4096));
}

void LakeFileEncoder::Encode(std::string& jsonl, const std::vector<std::string>& exclude,
                             const std::filesystem::path& output) {
  EncodeAll({File{&jsonl, output}}, exclude);
}

void LakeFileEncoder::EncodeAll(const std::vector<File>& files,
                                const std::vector<std::string>& exclude) {
  if (files.empty()) return;
  bool flat;
  try {
    flat = LoadFlat(files);
  } catch (const Error& e) {
    Fail("cannot encode a batch into {}: {}", files[0].output.string(), e.what());
  }
  if (flat && files.size() == 1) return Copy(exclude, files[0].output, std::nullopt);
  if (!flat) {
    // Nested values: read_json infers STRUCT and LIST types, one file at a time.
    for (const File& file : files) {
      try {
        LoadWithReadJson(*file.jsonl);
      } catch (const Error& e) {
        Fail("cannot encode a batch into {}: {}", file.output.string(), e.what());
      }
      Copy(exclude, file.output, std::nullopt);
    }
    return;
  }
  if (format_ != LakeFormat::kParquet) {
    // DuckDB partitions only Parquet and CSV writes: one COPY per file of the shared load.
    for (size_t f = 0; f < files.size(); ++f) Copy(exclude, files[f].output, f);
    return;
  }
  std::filesystem::path directory = temp_dir_ / "partitioned";
  std::filesystem::remove_all(directory);
  Copy(exclude, directory, kAllFiles);
  for (size_t f = 0; f < files.size(); ++f) {
    std::filesystem::path folder = directory / fmt::format("{}={}", kFileColumn, f);
    std::vector<std::filesystem::path> written;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
      written.push_back(entry.path());
    if (ec || written.size() != 1) {
      Fail("cannot encode a batch into {}: DuckDB wrote {} files into {}{}",
           files[f].output.string(), written.size(), folder.string(),
           ec ? " (" + ec.message() + ")" : "");
    }
    std::filesystem::rename(written[0], files[f].output);
  }
  std::filesystem::remove_all(directory);
}

void LakeFileEncoder::Copy(const std::vector<std::string>& exclude,
                           const std::filesystem::path& output, std::optional<size_t> file) {
  std::vector<std::string> dropped = exclude;
  if (file && file != kAllFiles) dropped.push_back(kFileColumn);
  std::string select = "SELECT *";
  if (!dropped.empty()) {
    select += " EXCLUDE (";
    for (size_t i = 0; i < dropped.size(); ++i)
      select += (i ? ", " : "") + duck::QuoteIdentifier(dropped[i]);
    select += ")";
  }
  if (kafka_columns_) {
    select +=
        " REPLACE (kafka_partition::INTEGER AS kafka_partition, epoch_ms(kafka_timestamp) AS "
        "kafka_timestamp)";
  }
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
  std::string where;
  if (file == kAllFiles) {
    options += fmt::format(", PARTITION_BY ({})", kFileColumn);
  } else if (file) {
    where = fmt::format(" WHERE {} = {}", kFileColumn, *file);
  }
  std::string sql = fmt::format("COPY ({} FROM batch{}) TO {} ({})", select, where,
                                duck::QuoteLiteral(output.string()), options);
  if (auto error = conn_.TryExecute(sql))
    Fail("cannot encode a batch into {}: {}", output.string(), *error);
}

}  // namespace ticklake::lake
