#include "iceberg/sql_catalog.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

constexpr int kBusyTimeoutMs = 30000;

// The DDL of pyiceberg's SqlCatalog and Java's JdbcCatalog (schema V1, with iceberg_type), so
// that either finds the tables it expects; ticklake's own catalog tables share the file.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS iceberg_tables (
  catalog_name VARCHAR(255) NOT NULL,
  table_namespace VARCHAR(255) NOT NULL,
  table_name VARCHAR(255) NOT NULL,
  metadata_location VARCHAR(1000),
  previous_metadata_location VARCHAR(1000),
  iceberg_type VARCHAR(5),
  PRIMARY KEY (catalog_name, table_namespace, table_name));
CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
  catalog_name VARCHAR(255) NOT NULL,
  namespace VARCHAR(255) NOT NULL,
  property_key VARCHAR(255) NOT NULL,
  property_value VARCHAR(1000) NOT NULL,
  PRIMARY KEY (catalog_name, namespace, property_key));
)sql";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& where) : db_(db), where_(where) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      Fail("iceberg catalog {}: cannot prepare '{}': {}", where_, sql, sqlite3_errmsg(db));
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& Bind(const std::string& value) {
    sqlite3_bind_text(stmt_, ++bound_, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  // True while a row is available.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail("iceberg catalog {}: {}", where_, sqlite3_errmsg(db_));
  }
  std::optional<std::string> Text(int col) {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col)),
                       sqlite3_column_bytes(stmt_, col));
  }
  int Changes() { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  const std::string& where_;
  sqlite3_stmt* stmt_ = nullptr;
  int bound_ = 0;
};

void Exec(sqlite3* db, const char* sql, const std::string& where) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    Fail("iceberg catalog {}: {}", where, message);
  }
}

}  // namespace

SqlCatalog::SqlCatalog(const std::string& path, std::string catalog_name)
    : path_(path), catalog_name_(std::move(catalog_name)) {
  std::filesystem::path file(path);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) Fail("iceberg catalog {}: cannot create directory: {}", path, ec.message());
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    Fail("iceberg catalog {}: cannot open: {}", path, message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // Switching to WAL needs a moment without other writers; the catalog stays in WAL after.
    for (int attempt = 0;; ++attempt) {
      if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) == SQLITE_OK) {
        break;
      }
      if (attempt > 100) Fail("cannot switch to WAL mode: {}", sqlite3_errmsg(db_));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Exec(db_, "PRAGMA synchronous=NORMAL", path_);
    Exec(db_, kSchema, path_);
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

SqlCatalog::~SqlCatalog() { sqlite3_close_v2(db_); }

std::vector<std::string> SqlCatalog::ListNamespaces() {
  Statement s(db_,
              "SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 UNION "
              "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = ?1 "
              "ORDER BY 1",
              path_);
  s.Bind(catalog_name_);
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0).value_or(""));
  return out;
}

void SqlCatalog::CreateNamespaceIfMissing(const std::string& ns) {
  // pyiceberg marks a namespace with the property exists=true.
  Statement s(db_,
              "INSERT OR IGNORE INTO iceberg_namespace_properties(catalog_name, namespace, "
              "property_key, property_value) VALUES (?, ?, 'exists', 'true')",
              path_);
  s.Bind(catalog_name_).Bind(ns).Step();
}

std::vector<TableIdent> SqlCatalog::ListTables(const std::string& ns) {
  Statement s(
      db_,
      "SELECT table_name FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? "
      "AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL) ORDER BY table_name",
      path_);
  s.Bind(catalog_name_).Bind(ns);
  std::vector<TableIdent> out;
  while (s.Step()) out.push_back({ns, s.Text(0).value_or("")});
  return out;
}

std::optional<std::string> SqlCatalog::MetadataLocation(const TableIdent& table) {
  Statement s(db_,
              "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND "
              "table_namespace = ? AND table_name = ?",
              path_);
  s.Bind(catalog_name_).Bind(table.ns).Bind(table.name);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

bool SqlCatalog::Register(const TableIdent& table, const std::string& metadata_location) {
  CreateNamespaceIfMissing(table.ns);
  Statement s(db_,
              "INSERT OR IGNORE INTO iceberg_tables(catalog_name, table_namespace, table_name, "
              "metadata_location, previous_metadata_location, iceberg_type) "
              "VALUES (?, ?, ?, ?, NULL, 'TABLE')",
              path_);
  s.Bind(catalog_name_).Bind(table.ns).Bind(table.name).Bind(metadata_location).Step();
  return s.Changes() == 1;
}

bool SqlCatalog::Swap(const TableIdent& table, const std::string& expected,
                      const std::string& next) {
  Statement s(db_,
              "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
              "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND "
              "metadata_location = ?",
              path_);
  s.Bind(next).Bind(expected).Bind(catalog_name_).Bind(table.ns).Bind(table.name).Bind(expected);
  s.Step();
  return s.Changes() == 1;
}

void SqlCatalog::Drop(const TableIdent& table) {
  Statement s(db_,
              "DELETE FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND "
              "table_name = ?",
              path_);
  s.Bind(catalog_name_).Bind(table.ns).Bind(table.name).Step();
}

}  // namespace ticklake::iceberg
