#include "lake/iceberg_writer.h"

#include <fmt/format.h>

#include <optional>
#include <random>
#include <unordered_map>

#include "common/error.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "iceberg/parquet_files.h"
#include "lake/iceberg_record_types.h"
#include "lake/json_types.h"
#include "lake/record_parser.h"

namespace ticklake::lake {
namespace fs = std::filesystem;
using iceberg::Literal;
using iceberg::TypeId;

namespace {

// The column that says which output file a row belongs to (the COPY partitions by it).
constexpr const char* kFileColumn = "__ticklake_file";

duck::DatabaseOptions WriterDatabaseOptions(const fs::path& temp_dir) {
  duck::DatabaseOptions options;
  options.temp_directory = (temp_dir / "duckdb").string();
  options.settings = {{"threads", "2"},
                      {"preserve_insertion_order", "true"},
                      // One open file per output file of the flush (more would split files).
                      {"partitioned_write_max_open_files", "100000"}};
  return options;
}

std::string FileStem() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

bool IsKafkaColumn(std::string_view key) {
  for (std::string_view name : kKafkaColumns)
    if (key == name) return true;
  return false;
}

// Maps record keys to column numbers: exact key of the same position first (records of one
// producer list their fields in the same order), then the lower-cased key.
class KeyIndex {
 public:
  // -1 when the key names no column.
  template <typename Lookup>
  int Find(size_t position, std::string_view key, Lookup&& lookup) {
    if (position < slot_keys_.size() && slot_keys_[position] == key) return slot_columns_[position];
    int column = lookup(AsciiLower(key));
    if (position >= slot_keys_.size()) {
      slot_keys_.resize(position + 1);
      slot_columns_.resize(position + 1, -1);
    }
    slot_keys_[position] = std::string(key);
    slot_columns_[position] = column;
    return column;
  }

 private:
  std::vector<std::string> slot_keys_;
  std::vector<int> slot_columns_;
};

duckdb_type DuckTypeOf(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return DUCKDB_TYPE_BOOLEAN;
    case TypeId::kInt:
      return DUCKDB_TYPE_INTEGER;
    case TypeId::kLong:
      return DUCKDB_TYPE_BIGINT;
    case TypeId::kFloat:
      return DUCKDB_TYPE_FLOAT;
    case TypeId::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case TypeId::kDate:
      return DUCKDB_TYPE_DATE;
    case TypeId::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP;
    case TypeId::kTimestampTz:
      return DUCKDB_TYPE_TIMESTAMP_TZ;
    case TypeId::kString:
      return DUCKDB_TYPE_VARCHAR;
    case TypeId::kBinary:
      return DUCKDB_TYPE_BLOB;
  }
  return DUCKDB_TYPE_VARCHAR;
}

int64_t TimestampMicros(simdjson::dom::element v) {
  std::string_view text = v.get_string().value_unsafe();
  if (auto micros = ParseIsoTimestamp(text)) return *micros;
  return int64_t{*ParseIsoDate(text)} * 86'400'000'000;
}

// The value of a JSON element that fits a column of `type` (Fits), as an Iceberg literal.
// `kafka_ms`: the element is the Kafka timestamp in milliseconds.
Literal LiteralOf(TypeId type, simdjson::dom::element v, bool kafka_ms) {
  if (v.is_null()) return std::monostate{};
  switch (type) {
    case TypeId::kBoolean:
      return v.get_bool().value_unsafe();
    case TypeId::kInt:
      return static_cast<int32_t>(v.get_int64().value_unsafe());
    case TypeId::kLong:
      return v.get_int64().value_unsafe();
    case TypeId::kFloat:
      return static_cast<float>(v.get_double().value_unsafe());
    case TypeId::kDouble:
      return v.get_double().value_unsafe();
    case TypeId::kDate:
      return *ParseIsoDate(v.get_string().value_unsafe());
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return kafka_ms ? v.get_int64().value_unsafe() * 1000 : TimestampMicros(v);
    case TypeId::kString:
      if (v.is_string()) return std::string(v.get_string().value_unsafe());
      return simdjson::minify(v);
    case TypeId::kBinary:
      break;
  }
  return std::monostate{};
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
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  void Check(duckdb_state state) {
    if (state == DuckDBError) Fail("duckdb: append failed: {}", duckdb_appender_error(appender_));
  }
  duckdb_appender get() { return appender_; }

 private:
  duckdb_appender appender_ = nullptr;
};

// One DuckDB data chunk with the table's column types plus the file column, written in place.
class Chunk {
 public:
  explicit Chunk(const std::vector<TypeId>& types) : types_(types) {
    std::vector<duckdb_logical_type> logical;
    for (TypeId t : types) logical.push_back(duckdb_create_logical_type(DuckTypeOf(t)));
    logical.push_back(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
    chunk_ = duckdb_create_data_chunk(logical.data(), logical.size());
    for (auto& t : logical) duckdb_destroy_logical_type(&t);
    writer_.emplace(chunk_);
  }
  ~Chunk() { duckdb_destroy_data_chunk(&chunk_); }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  void SetNull(size_t column, idx_t row) { writer_->SetNull(column, row); }
  void SetFile(idx_t row, int64_t file) { writer_->SetValue<int64_t>(types_.size(), row, file); }
  void Set(size_t column, idx_t row, simdjson::dom::element v, bool kafka_ms) {
    duck::ChunkWriter& w = *writer_;
    switch (types_[column]) {
      case TypeId::kBoolean:
        w.SetValue<bool>(column, row, v.get_bool().value_unsafe());
        break;
      case TypeId::kInt:
        w.SetValue<int32_t>(column, row, static_cast<int32_t>(v.get_int64().value_unsafe()));
        break;
      case TypeId::kLong:
        w.SetValue<int64_t>(column, row, v.get_int64().value_unsafe());
        break;
      case TypeId::kFloat:
        w.SetValue<float>(column, row, static_cast<float>(v.get_double().value_unsafe()));
        break;
      case TypeId::kDouble:
        w.SetValue<double>(column, row, v.get_double().value_unsafe());
        break;
      case TypeId::kDate:
        w.SetValue(column, row, duckdb_date{*ParseIsoDate(v.get_string().value_unsafe())});
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        w.SetValue(
            column, row,
            duckdb_timestamp{kafka_ms ? v.get_int64().value_unsafe() * 1000 : TimestampMicros(v)});
        break;
      case TypeId::kString:
        // Strings as they are; nested values as their JSON text.
        if (v.is_string()) {
          w.SetText(column, row, v.get_string().value_unsafe());
        } else {
          w.SetText(column, row, simdjson::minify(v));
        }
        break;
      case TypeId::kBinary:
        SetNull(column, row);  // never reached: no JSON value fits a binary column
        break;
    }
  }
  void AppendTo(Appender& appender, idx_t rows) {
    duckdb_data_chunk_set_size(chunk_, rows);
    appender.Check(duckdb_append_data_chunk(appender.get(), chunk_));
    duckdb_data_chunk_reset(chunk_);
    writer_.emplace(chunk_);
  }

 private:
  std::vector<TypeId> types_;
  duckdb_data_chunk chunk_;
  std::optional<duck::ChunkWriter> writer_;  // remade after each reset
};

// The record as the producer sent it: its fields without the Kafka columns, as JSON.
std::string PayloadOf(simdjson::dom::object object) {
  std::string out = "{";
  for (auto field : object) {
    if (IsKafkaColumn(field.key)) continue;
    if (out.size() > 1) out += ',';
    AppendJsonString(out, field.key);
    out += ':';
    out += simdjson::minify(field.value);
  }
  return out + "}";
}

void Pad(const std::vector<IcebergFileWriter::Input>& inputs) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: reserve them in place.
  for (const auto& input : inputs)
    input.jsonl->reserve(input.jsonl->size() + simdjson::SIMDJSON_PADDING);
}

}  // namespace

IcebergFileWriter::IcebergFileWriter(bool kafka_columns, const fs::path& temp_dir)
    : kafka_columns_(kafka_columns),
      temp_dir_(temp_dir),
      db_(WriterDatabaseOptions(temp_dir)),
      conn_(db_) {}

iceberg::Schema IcebergFileWriter::PlanSchema(const std::vector<Input>& inputs,
                                              const iceberg::Schema& current,
                                              int32_t last_column_id) {
  Pad(inputs);
  std::vector<ColumnValues> columns;
  std::unordered_map<std::string, int> index;  // by lower-case name
  KeyIndex keys;
  auto lookup = [&](std::string lower) {
    if (!kafka_columns_ && IsKafkaColumn(lower)) return -1;
    auto [it, added] = index.try_emplace(lower, static_cast<int>(columns.size()));
    if (added) columns.push_back({std::move(lower)});
    return it->second;
  };
  simdjson::dom::document_stream records;
  for (const Input& input : inputs) {
    if (parser_
            .parse_many(static_cast<const char*>(input.jsonl->data()), input.jsonl->size(),
                        simdjson::dom::DEFAULT_BATCH_SIZE)
            .get(records))
      Fail("cannot read the records of partition {} for the Iceberg table", input.partition);
    for (auto record : records) {
      simdjson::dom::object object;
      if (record.get(object))
        Fail("cannot read the records of partition {} for the Iceberg table", input.partition);
      size_t position = 0;
      for (auto field : object) {
        int column = keys.Find(position++, field.key, lookup);
        if (column >= 0) columns[static_cast<size_t>(column)].Add(KindOf(field.value), field.value);
      }
    }
  }
  return EvolveSchema(current, last_column_id, columns);
}

IcebergFileWriter::Output IcebergFileWriter::Write(const std::vector<Input>& inputs,
                                                   const iceberg::Schema& schema,
                                                   const iceberg::PartitionSpec& spec) {
  Pad(inputs);
  Output out;
  out.records.assign(inputs.size(), 0);
  const auto& fields = schema.fields;
  std::unordered_map<std::string, int> index;
  std::vector<TypeId> types;
  std::vector<char> kafka_ms(fields.size(), 0);
  for (size_t i = 0; i < fields.size(); ++i) {
    index.emplace(AsciiLower(fields[i].name), static_cast<int>(i));
    types.push_back(fields[i].type);
    kafka_ms[i] = kafka_columns_ && fields[i].name == "kafka_timestamp";
  }
  std::vector<int> partition_sources;  // column of each partition field's source
  for (const auto& field : spec.fields) {
    const iceberg::NestedField* source = schema.FindById(field.source_id);
    if (!source) Fail("partition field {} has no source column in the schema", field.name);
    partition_sources.push_back(static_cast<int>(source - fields.data()));
  }

  std::string create = "CREATE OR REPLACE TEMP TABLE batch (";
  for (size_t i = 0; i < fields.size(); ++i)
    create += fmt::format("{} {}, ", duck::QuoteIdentifier(fields[i].name),
                          iceberg::DuckDbType(fields[i].type));
  conn_.Query(create + fmt::format("{} BIGINT)", kFileColumn));

  // File numbers by (input, partition path); the partition tuple of each file.
  std::unordered_map<std::string, int64_t> file_numbers;
  std::vector<std::pair<size_t, std::vector<Literal>>> file_keys;
  std::vector<simdjson::dom::element> values(fields.size());
  std::vector<char> present(fields.size());
  std::vector<std::string_view> present_key(fields.size());  // the key that set each column
  std::vector<Literal> tuple(spec.fields.size());
  KeyIndex keys;
  auto lookup = [&](const std::string& lower) {
    if (!kafka_columns_ && IsKafkaColumn(lower)) return -1;
    auto it = index.find(lower);
    return it == index.end() ? -2 : it->second;
  };
  {
    Chunk chunk(types);
    Appender appender(conn_, "batch");
    const idx_t capacity = duckdb_vector_size();
    idx_t row = 0;
    simdjson::dom::document_stream records;
    for (size_t in = 0; in < inputs.size(); ++in) {
      const Input& input = inputs[in];
      if (parser_
              .parse_many(static_cast<const char*>(input.jsonl->data()), input.jsonl->size(),
                          simdjson::dom::DEFAULT_BATCH_SIZE)
              .get(records))
        Fail("cannot read the records of partition {} for the Iceberg table", input.partition);
      for (auto record : records) {
        simdjson::dom::object object = record.get_object().value_unsafe();
        std::fill(present.begin(), present.end(), 0);
        std::string reason;
        size_t position = 0;
        for (auto field : object) {
          int column = keys.Find(position++, field.key, lookup);
          if (column == -1) continue;  // a Kafka column the table does not keep
          if (column == -2) {
            // Not in the schema: PlanSchema saw only nulls there, so there is nothing to keep.
            if (!field.value.is_null() && reason.empty())
              reason = fmt::format("field '{}' has no column in the table", field.key);
            continue;
          }
          auto c = static_cast<size_t>(column);
          if (present[c] && reason.empty()) {
            reason = fmt::format("fields '{}' and '{}' differ only in case (one column {})",
                                 present_key[c], field.key, fields[c].name);
          }
          present[c] = 1;
          present_key[c] = field.key;
          values[c] = field.value;
          JsonKind kind = KindOf(field.value);
          if (kind != JsonKind::kNull && !kafka_ms[c] && !Fits(kind, field.value, types[c]) &&
              reason.empty()) {
            reason = FitReason(field.key, kind, fields[c]);
          }
        }
        for (size_t c = 0; c < fields.size() && reason.empty(); ++c) {
          if (fields[c].required && (!present[c] || values[c].is_null()))
            reason = fmt::format("field '{}' is required by the table but missing", fields[c].name);
        }
        if (!reason.empty()) {
          Rejected rejected{input.partition, -1, -1, std::move(reason), PayloadOf(object)};
          int64_t number;
          if (!object["kafka_offset"].get_int64().get(number)) rejected.offset = number;
          if (!object["kafka_timestamp"].get_int64().get(number)) rejected.timestamp_ms = number;
          out.rejected.push_back(std::move(rejected));
          continue;
        }
        for (size_t p = 0; p < spec.fields.size(); ++p) {
          auto c = static_cast<size_t>(partition_sources[p]);
          Literal source =
              present[c] ? LiteralOf(types[c], values[c], kafka_ms[c]) : Literal{std::monostate{}};
          tuple[p] = iceberg::ApplyTransform(spec.fields[p].transform, types[c], source);
        }
        std::string key = fmt::format("{}/{}", in, iceberg::PartitionPath(spec, schema, tuple));
        auto [it, added] = file_numbers.try_emplace(key, static_cast<int64_t>(file_keys.size()));
        if (added) file_keys.emplace_back(in, tuple);
        for (size_t c = 0; c < fields.size(); ++c) {
          if (!present[c] || values[c].is_null()) {
            chunk.SetNull(c, row);
          } else {
            chunk.Set(c, row, values[c], kafka_ms[c]);
          }
        }
        chunk.SetFile(row, it->second);
        ++out.records[in];
        if (++row == capacity) {
          chunk.AppendTo(appender, row);
          row = 0;
        }
      }
    }
    if (row > 0) chunk.AppendTo(appender, row);
    appender.Check(duckdb_appender_flush(appender.get()));
  }
  if (file_keys.empty()) return out;

  fs::path directory = temp_dir_ / "iceberg-partitioned";
  fs::remove_all(directory);
  std::vector<std::string> names;
  std::string select = "SELECT ";
  for (const auto& field : fields) {
    select += duck::QuoteIdentifier(field.name) + ", ";
    names.push_back(field.name);
  }
  std::string sql = fmt::format(
      "COPY ({}{} FROM batch) TO {} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({}), {})",
      select, kFileColumn, duck::QuoteLiteral(directory.string()), kFileColumn,
      iceberg::FieldIdsOption(schema, names));
  if (auto error = conn_.TryExecute(sql))
    Fail("cannot write Iceberg data files into {}: {}", directory.string(), *error);
  for (size_t f = 0; f < file_keys.size(); ++f) {
    fs::path folder = directory / fmt::format("{}={}", kFileColumn, f);
    std::vector<fs::path> written;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) written.push_back(entry.path());
    if (ec || written.size() != 1) {
      Fail("cannot write Iceberg data files: DuckDB wrote {} files into {}{}", written.size(),
           folder.string(), ec ? " (" + ec.message() + ")" : "");
    }
    File file;
    file.input = file_keys[f].first;
    file.local = temp_dir_ / (FileStem() + ".parquet");
    fs::rename(written[0], file.local);
    file.data = iceberg::DescribeParquet(conn_, file.local, schema);
    file.data.partition = file_keys[f].second;
    file.data.spec_id = spec.spec_id;
    out.files.push_back(std::move(file));
  }
  fs::remove_all(directory);
  return out;
}

}  // namespace ticklake::lake
