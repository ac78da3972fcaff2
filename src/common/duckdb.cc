#include "common/duckdb.h"

#include <utility>

#include "common/error.h"

namespace ticklake::duck {

Result::Result(Result&& other) noexcept
    : result_(other.result_), valid_(std::exchange(other.valid_, false)) {}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (valid_) duckdb_destroy_result(&result_);
    result_ = other.result_;
    valid_ = std::exchange(other.valid_, false);
  }
  return *this;
}

Result::~Result() {
  if (valid_) duckdb_destroy_result(&result_);
}

size_t Result::ColumnCount() { return valid_ ? duckdb_column_count(&result_) : 0; }
size_t Result::RowCount() { return valid_ ? duckdb_row_count(&result_) : 0; }
size_t Result::RowsChanged() { return valid_ ? duckdb_rows_changed(&result_) : 0; }
std::string Result::ColumnName(size_t col) { return duckdb_column_name(&result_, col); }
duckdb_type Result::ColumnType(size_t col) { return duckdb_column_type(&result_, col); }
bool Result::IsNull(size_t col, size_t row) { return duckdb_value_is_null(&result_, col, row); }

std::optional<std::string> Result::GetString(size_t col, size_t row) {
  if (IsNull(col, row)) return std::nullopt;
  char* value = duckdb_value_varchar(&result_, col, row);
  // The C API renders only scalar types; nested ones (STRUCT, LIST, MAP) need a cast in SQL.
  if (value == nullptr)
    Fail("duckdb: column {} cannot be read as text; cast it to VARCHAR in SQL", ColumnName(col));
  std::string out(value);
  duckdb_free(value);
  return out;
}

int64_t Result::GetInt64(size_t col, size_t row) { return duckdb_value_int64(&result_, col, row); }
double Result::GetDouble(size_t col, size_t row) { return duckdb_value_double(&result_, col, row); }

Database::Database(const DatabaseOptions& options) {
  duckdb_config config;
  if (duckdb_create_config(&config) == DuckDBError) Fail("duckdb: cannot create config");
  std::map<std::string, std::string> settings = {
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
  };
  if (!options.temp_directory.empty()) {
    settings["temp_directory"] = options.temp_directory;
    settings["extension_directory"] = options.temp_directory + "/extensions";
  }
  for (const auto& [k, v] : options.settings) settings[k] = v;
  for (const auto& [k, v] : settings) {
    if (duckdb_set_config(config, k.c_str(), v.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      Fail("duckdb: invalid setting {}={}", k, v);
    }
  }
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(options.path.c_str(), &db_, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    if (error) duckdb_free(error);
    Fail("duckdb: cannot open {}: {}", options.path, message);
  }
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database::~Database() {
  if (db_) duckdb_close(&db_);
}

Connection::Connection(Database& db) {
  if (duckdb_connect(db.handle(), &conn_) == DuckDBError) Fail("duckdb: cannot connect");
}

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Connection::~Connection() {
  if (conn_) duckdb_disconnect(&conn_);
}

std::optional<std::string> Connection::TryExecute(std::string_view sql, Result* out) {
  duckdb_result raw;
  std::string text(sql);
  duckdb_state state = duckdb_query(conn_, text.c_str(), &raw);
  Result result(raw);
  if (state == DuckDBError) {
    const char* message = duckdb_result_error(&raw);
    return std::string(message ? message : "unknown DuckDB error");
  }
  if (out) *out = std::move(result);
  return std::nullopt;
}

Result Connection::Query(std::string_view sql) {
  Result result;
  if (auto error = TryExecute(sql, &result)) {
    constexpr size_t kMaxShown = 300;
    std::string shown(sql.substr(0, kMaxShown));
    if (sql.size() > kMaxShown) shown += "…";
    Fail("{} (in SQL: {})", *error, shown);
  }
  return result;
}

void Connection::Interrupt() { duckdb_interrupt(conn_); }

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

ChunkWriter::ChunkWriter(duckdb_data_chunk chunk) {
  size_t count = duckdb_data_chunk_get_column_count(chunk);
  vectors_.resize(count);
  data_.resize(count);
  validity_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    vectors_[i] = duckdb_data_chunk_get_vector(chunk, i);
    duckdb_vector_ensure_validity_writable(vectors_[i]);
    data_[i] = duckdb_vector_get_data(vectors_[i]);
    validity_[i] = duckdb_vector_get_validity(vectors_[i]);
  }
}

}  // namespace ticklake::duck
