#include "lake/lake_file_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <unordered_map>

#include "common/error.h"
#include "common/strings.h"
#include "lake/json_types.h"
#include "lake/record_parser.h"

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
// Files written by one partitioned COPY: DuckDB keeps a Parquet writer open per file, with
// buffers of its own (~0.3 MB measured), so a flush of thousands of small files would hold
// hundreds of MB in DuckDB at once; a statement costs only milliseconds.
constexpr size_t kFilesPerCopy = 128;

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

// A column of the encoded file: the union, by name, of the batches' columns.
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
  explicit DataChunk(const std::vector<duckdb_type>& types) {
    std::vector<duckdb_logical_type> logical;
    for (duckdb_type t : types) logical.push_back(duckdb_create_logical_type(t));
    chunk_ = duckdb_create_data_chunk(logical.data(), logical.size());
    for (auto& t : logical) duckdb_destroy_logical_type(&t);
    Reset(types.size());
  }
  ~DataChunk() { duckdb_destroy_data_chunk(&chunk_); }
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;

  void SetNull(size_t column, idx_t row) {
    duckdb_validity_set_row_invalid(validity_[column], row);
  }
  template <typename T>
  void SetValue(size_t column, idx_t row, T value) {
    static_cast<T*>(data_[column])[row] = value;
  }
  void SetText(size_t column, idx_t row, std::string_view text) {
    duckdb_vector_assign_string_element_len(vectors_[column], row, text.data(), text.size());
  }

  // A value of `records` as a column of `type` (json_types.h resolved it from all the values).
  void Set(size_t column, idx_t row, ColumnType type, ColumnBatch::Kind kind, uint64_t slot,
           const ColumnBatch& records) {
    using Kind = ColumnBatch::Kind;
    switch (type) {
      case ColumnType::kBoolean:
        return SetValue<bool>(column, row, slot != 0);
      case ColumnType::kBigint:
        return SetValue<int64_t>(column, row, ColumnBatch::Int(slot));
      case ColumnType::kDouble:
        return SetValue<double>(column, row,
                                kind == Kind::kInt ? static_cast<double>(ColumnBatch::Int(slot))
                                                   : ColumnBatch::Double(slot));
      case ColumnType::kDate:
        return SetValue(column, row, duckdb_date{*ParseIsoDate(records.Text(slot))});
      case ColumnType::kTimestamp: {
        std::string_view text = records.Text(slot);
        auto micros = ParseIsoTimestamp(text);
        if (!micros) micros = int64_t{*ParseIsoDate(text)} * 86'400'000'000;
        return SetValue(column, row, duckdb_timestamp{*micros});
      }
      case ColumnType::kVarchar:
        // Strings as they are; numbers and booleans in a text column as their JSON text.
        switch (kind) {
          case Kind::kString:
            return SetText(column, row, records.Text(slot));
          case Kind::kBool:
            return SetText(column, row, slot ? "true" : "false");
          default:
            return SetText(column, row, ColumnBatch::NumberText(kind, slot));
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

bool LakeFileEncoder::LoadColumns(const std::vector<File>& files) {
  std::vector<Column> columns;
  std::unordered_map<std::string, size_t> index;  // by lower-case name
  const bool by_file = files.size() > 1;
  // source[f][c]: the column of file f's batch that holds column c, or -1.
  std::vector<std::vector<int>> source(files.size());
  for (size_t f = 0; f < files.size(); ++f) {
    const ColumnBatch& records = *files[f].records;
    if (records.needs_read_json()) return false;
    for (size_t c = 0; c < records.columns().size(); ++c) {
      const ColumnBatch::Column& column = records.columns()[c];
      std::string lower = AsciiLower(column.name);
      if (by_file && lower == kFileColumn) return false;
      auto [it, added] = index.try_emplace(lower, columns.size());
      if (added) {
        columns.push_back({column.name, {}, {}});
      } else if (columns[it->second].name != column.name) {
        return false;  // "Close" and "close": let read_json decide
      }
      columns[it->second].evidence.Merge(column.evidence);
      source[f].resize(columns.size(), -1);
      source[f][it->second] = static_cast<int>(c);
    }
  }
  if (columns.empty() && !kafka_columns_) return false;

  std::string create = "CREATE OR REPLACE TEMP TABLE batch (";
  std::vector<duckdb_type> types;
  auto add = [&](const std::string& name, const char* sql_type, duckdb_type type) {
    create +=
        fmt::format("{}{} {}", types.empty() ? "" : ", ", duck::QuoteIdentifier(name), sql_type);
    types.push_back(type);
  };
  for (Column& column : columns) {
    column.type = column.evidence.Resolve();
    add(column.name, SqlTypeName(column.type), DuckType(column.type));
  }
  if (kafka_columns_) {
    add(kKafkaColumns[0].data(), "VARCHAR", DUCKDB_TYPE_VARCHAR);
    add(kKafkaColumns[1].data(), "INTEGER", DUCKDB_TYPE_INTEGER);
    add(kKafkaColumns[2].data(), "BIGINT", DUCKDB_TYPE_BIGINT);
    add(kKafkaColumns[3].data(), "TIMESTAMP", DUCKDB_TYPE_TIMESTAMP);
  }
  if (by_file) add(kFileColumn, "BIGINT", DUCKDB_TYPE_BIGINT);
  conn_.Query(create + ")");

  DataChunk chunk(types);
  Appender appender(conn_, "batch");
  const idx_t capacity = duckdb_vector_size();
  const size_t kafka = columns.size();
  idx_t row = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const ColumnBatch& records = *files[f].records;
    source[f].resize(columns.size(), -1);
    for (size_t r = 0; r < records.rows(); ++r) {
      for (size_t c = 0; c < columns.size(); ++c) {
        int from = source[f][c];
        ColumnBatch::Kind kind =
            from < 0 ? ColumnBatch::Kind::kNull : records.columns()[from].kinds[r];
        if (kind == ColumnBatch::Kind::kNull) {
          chunk.SetNull(c, row);
        } else {
          chunk.Set(c, row, columns[c].type, kind, records.columns()[from].slots[r], records);
        }
      }
      if (kafka_columns_) {
        chunk.SetText(kafka, row, records.topic());
        chunk.SetValue<int32_t>(kafka + 1, row, records.partition());
        chunk.SetValue<int64_t>(kafka + 2, row, records.offsets()[r]);
        chunk.SetValue(kafka + 3, row, duckdb_timestamp{records.timestamps_ms()[r] * 1000});
      }
      if (by_file) chunk.SetValue<int64_t>(types.size() - 1, row, static_cast<int64_t>(f));
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

void LakeFileEncoder::Encode(const ColumnBatch& records, const std::vector<std::string>& exclude,
                             const std::filesystem::path& output) {
  EncodeAll({File{&records, output}}, exclude);
}

void LakeFileEncoder::EncodeAll(const std::vector<File>& files,
                                const std::vector<std::string>& exclude) {
  if (files.empty()) return;
  bool typed;
  try {
    typed = LoadColumns(files);
  } catch (const Error& e) {
    Fail("cannot encode a batch into {}: {}", files[0].output.string(), e.what());
  }
  if (typed && files.size() == 1) return Copy(exclude, files[0].output, {}, false);
  if (!typed) {
    // Nested values: read_json infers STRUCT and LIST types, one file at a time.
    for (const File& file : files) {
      try {
        std::string jsonl;
        file.records->AppendJsonLines(jsonl, kafka_columns_);
        LoadWithReadJson(jsonl);
      } catch (const Error& e) {
        Fail("cannot encode a batch into {}: {}", file.output.string(), e.what());
      }
      Copy(exclude, file.output, {}, true);
    }
    return;
  }
  if (format_ != LakeFormat::kParquet) {
    // DuckDB partitions only Parquet and CSV writes: one COPY per file of the shared load.
    for (size_t f = 0; f < files.size(); ++f) Copy(exclude, files[f].output, {{f, f + 1}}, false);
    return;
  }
  std::filesystem::path directory = temp_dir_ / "partitioned";
  std::filesystem::remove_all(directory);
  for (size_t f = 0; f < files.size(); f += kFilesPerCopy)
    Copy(exclude, directory, {{f, std::min(f + kFilesPerCopy, files.size())}}, false);
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
                           const std::filesystem::path& output,
                           std::optional<std::pair<size_t, size_t>> files,
                           bool json_kafka_columns) {
  const bool partitioned = files && files->second - files->first > 1;
  std::vector<std::string> dropped = exclude;
  if (files && !partitioned) dropped.push_back(kFileColumn);
  std::string select = "SELECT *";
  if (!dropped.empty()) {
    select += " EXCLUDE (";
    for (size_t i = 0; i < dropped.size(); ++i)
      select += (i ? ", " : "") + duck::QuoteIdentifier(dropped[i]);
    select += ")";
  }
  if (json_kafka_columns && kafka_columns_) {
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
  if (partitioned) {
    options += fmt::format(", PARTITION_BY ({}), OVERWRITE_OR_IGNORE", kFileColumn);
    where = fmt::format(" WHERE {} >= {} AND {} < {}", kFileColumn, files->first, kFileColumn,
                        files->second);
  } else if (files) {
    where = fmt::format(" WHERE {} = {}", kFileColumn, files->first);
  }
  std::string sql = fmt::format("COPY ({} FROM batch{}) TO {} ({})", select, where,
                                duck::QuoteLiteral(output.string()), options);
  if (auto error = conn_.TryExecute(sql))
    Fail("cannot encode a batch into {}: {}", output.string(), *error);
}

}  // namespace ticklake::lake
