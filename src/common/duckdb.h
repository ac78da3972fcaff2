// RAII wrappers over DuckDB's C API (duckdb.h, v1.4.4 from npm). Every stage that needs SQL or
// Parquet — the sink writing Parquet, the crawler reading schemas, the query engine — goes
// through these, so handles are always closed and every error carries the SQL that failed.
//
// Thread-safety: a Database may be shared by threads; a Connection and a Result may not.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::duck {

// Settings applied when opening a database. Defaults keep DuckDB offline: no extension is
// installed or loaded from the network (httpfs and friends are not available here anyway).
struct DatabaseOptions {
  std::string path = ":memory:";
  std::map<std::string, std::string> settings;
  // Where DuckDB may keep extensions and spill files; empty = DuckDB's default.
  std::string temp_directory;
};

class Result {
 public:
  Result() = default;
  explicit Result(duckdb_result result) : result_(result), valid_(true) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  size_t ColumnCount();
  size_t RowCount();
  size_t RowsChanged();
  std::string ColumnName(size_t col);
  duckdb_type ColumnType(size_t col);
  bool IsNull(size_t col, size_t row);
  // The value rendered as DuckDB's VARCHAR cast would; nullopt for NULL. Nested values (STRUCT,
  // LIST, MAP) are not rendered by the C API: cast them to VARCHAR in SQL (else Error).
  std::optional<std::string> GetString(size_t col, size_t row);
  int64_t GetInt64(size_t col, size_t row);
  double GetDouble(size_t col, size_t row);

 private:
  duckdb_result result_{};
  bool valid_ = false;
};

class Connection;

class Database {
 public:
  explicit Database(const DatabaseOptions& options = {});
  Database(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  duckdb_database handle() { return db_; }

 private:
  duckdb_database db_ = nullptr;
};

class Connection {
 public:
  explicit Connection(Database& db);
  Connection(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `sql` (one or more statements) and returns the last result. Throws Error with DuckDB's
  // message and the statement on failure; the connection stays usable.
  Result Query(std::string_view sql);
  // Like Query, but returns DuckDB's error message instead of throwing.
  std::optional<std::string> TryExecute(std::string_view sql, Result* out = nullptr);
  // Cancels the statement running on this connection (callable from another thread).
  void Interrupt();

  duckdb_connection handle() { return conn_; }

 private:
  duckdb_connection conn_ = nullptr;
};

// Quotes an SQL identifier ("a""b") and an SQL string literal ('it''s').
std::string QuoteIdentifier(std::string_view name);
std::string QuoteLiteral(std::string_view value);

// A data chunk's vectors, written in place: raw values, nulls and strings (which DuckDB copies).
// The chunk stays its owner's (an Appender's chunk, or the one DuckDB hands a table function);
// make a new writer after the chunk is reset. Not thread-safe.
class ChunkWriter {
 public:
  explicit ChunkWriter(duckdb_data_chunk chunk);

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

 private:
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace ticklake::duck
