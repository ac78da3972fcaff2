// QueryEngine: Athena-style SQL over the catalog's tables, run by an embedded DuckDB.
//
// Each statement:
//  - gets a query id (uuid v4);
//  - sees the Iceberg tables it names (catalog.db's SQL catalog) as views over their current
//    snapshot, or the snapshot a FOR VERSION / FOR TIMESTAMP AS OF clause names
//    (query/time_travel.h, query/iceberg_views.h);
//  - sees every active catalog table it names as a view "<database>"."<table>" (bare names
//    resolve in the engine's database) built from the catalog's file list and types
//    (query/table_view.h); objects of a non-local lake are fetched into a bounded LRU cache
//    keyed by ETag first (catalog/lake_file_resolver.h);
//  - must be SELECT, EXPLAIN, or CREATE TABLE [db.]name AS SELECT ... (CTAS: ticklake writes the
//    result as zstd Parquet into the lake at <name>/ through the ObjectStore and registers the
//    table in the catalog). Anything else (COPY, ATTACH, INSTALL/LOAD, SET, PRAGMA, DDL, DML)
//    is refused;
//  - runs sandboxed: DuckDB may open files only under the lake, the cache and the engine's
//    staging folder (allowed_directories + enable_external_access=false + lock_configuration),
//    and never loads extensions from the network;
//  - can be cancelled (Cancel(), or SIGINT through common/stop.h) and times out after
//    options.timeout_seconds;
//  - is saved as <data_dir>/results/<id>.csv plus <id>.metadata.json, and recorded in the
//    catalog's query history (succeeded, failed or cancelled).
// Errors throw ticklake::Error with DuckDB's message (including the LINE/caret position); an
// unknown table's message lists the catalog's closest table names.
//
// Thread-safety: Run/RunScript from one thread at a time; Cancel from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/lake_file_resolver.h"
#include "common/duckdb.h"
#include "query/query_result.h"
#include "store/object_store.h"

namespace ticklake::query {

class IcebergTables;
class IcebergViews;

struct QueryEngineOptions {
  std::string database = "default";  // where bare table names resolve
  // results/, cache/, tmp/ live here; made absolute when the engine is constructed.
  std::filesystem::path data_dir = "ticklake-data";
  bool save_results = true;
  bool record_history = true;
  uint64_t cache_bytes = uint64_t{2} << 30;  // cache budget for non-local lakes
  double timeout_seconds = 0;                // 0 = no timeout
  int threads = 0;                           // DuckDB threads; 0 = DuckDB's default
  // Rows kept in QueryResult::rows (0 = all); the saved CSV always holds every row.
  size_t keep_rows = 0;
};

// Receives a statement's columns (begin) and then each row as it streams out of DuckDB.
struct RowSink {
  std::function<void(const QueryResult&)> begin;
  std::function<void(const std::vector<std::optional<std::string>>&)> row;
};

class QueryEngine {
 public:
  QueryEngine(catalog::Catalog& catalog, ObjectStore& lake, QueryEngineOptions options = {});
  QueryEngine(const QueryEngine&) = delete;
  QueryEngine& operator=(const QueryEngine&) = delete;
  ~QueryEngine();

  // Runs one statement (a trailing ';' is fine).
  QueryResult Run(const std::string& sql);
  // Runs each statement of a script in order; stops at (throws) the first failure.
  std::vector<QueryResult> RunScript(const std::string& script);
  // Interrupts the running statement, if any.
  void Cancel();

  const QueryEngineOptions& options() const { return options_; }
  catalog::LakeFileResolver& resolver() { return resolver_; }

 private:
  int64_t PrepareViews(const std::string& sql);
  QueryResult Execute(const std::string& sql, bool internal, const RowSink* sink = nullptr);
  QueryResult RunCtas(const std::string& sql, const std::string& query_id);
  std::string ExplainUnknownTable(const std::string& message);
  void SaveMetadata(const QueryResult& result, const catalog::QueryRecord& record);

  catalog::Catalog& catalog_;
  ObjectStore& lake_;
  QueryEngineOptions options_;
  catalog::LakeFileResolver resolver_;
  std::filesystem::path staging_dir_;
  std::unique_ptr<duck::Database> db_;
  std::unique_ptr<duck::Connection> conn_;
  std::map<std::string, std::string> views_;      // "db.table" -> state the view was built from
  std::map<std::string, std::string> variables_;  // "db.table" -> DuckDB variable of its files
  // "db.table" -> (table state, its files in the catalog)
  std::map<std::string, std::pair<std::string, std::vector<catalog::FileInfo>>> files_;
  std::atomic<bool> cancel_{false};
  // Iceberg tables of the catalog's SQL catalog (query/iceberg_views.h); they shadow Hive
  // tables of the same name.
  std::unique_ptr<IcebergTables> iceberg_tables_;
  std::unique_ptr<IcebergViews> iceberg_views_;
};

// A random (version 4) UUID.
std::string NewUuid();

}  // namespace ticklake::query
