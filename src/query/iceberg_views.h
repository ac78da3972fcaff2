// IcebergViews: the Iceberg tables a statement names, exposed to DuckDB as views over the live
// data files of one snapshot (Table::Plan), for the query engine.
//
//  - "<namespace>"."<table>" reads the current snapshot; each time-travel reference
//    (query/time_travel.h) gets "__ticklake_iceberg"."<ref>" over the snapshot it names.
//  - Parquet columns are matched by Iceberg field id, not by name (read_parquet's `schema`
//    parameter: field id -> name, type, default NULL), so renamed columns, files written before
//    a column was added, and promoted types (int -> long, float -> double) all read correctly.
//    Columns and types are the snapshot's schema.
//  - Only the planned files are read: local lakes in place, other lakes through a
//    LakeFileResolver cache (files are immutable in Iceberg, so the location is the cache key).
//  - When the statement names one table, its simple predicates (query/iceberg_pruning.h) prune
//    data files by partition values and column bounds before anything is resolved.
//  - A view is rebuilt only when its table's metadata location, snapshot or pruning changed.
//
// Thread-safety: used by the query engine's thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/lake_file_resolver.h"
#include "common/duckdb.h"
#include "iceberg/schema.h"
#include "query/iceberg_tables.h"
#include "query/time_travel.h"

namespace ticklake::query {

struct IcebergScanStats {
  int64_t tables = 0;         // Iceberg views the statement reads
  int64_t files_scanned = 0;  // data files the views read
  int64_t files_pruned = 0;   // data files skipped by partition values and column statistics
  int64_t bytes = 0;          // size of the files read
};

// The SELECT of a view over `files_expression` (a DuckDB list of local paths) with `schema`'s
// columns by field id; `empty` gives a typed view with no rows (read_parquet needs a file).
std::string IcebergViewSql(const iceberg::Schema& schema, const std::string& files_expression,
                           bool empty);

class IcebergViews {
 public:
  IcebergViews(IcebergTables& tables, duck::Connection& conn, std::filesystem::path cache_dir,
               uint64_t cache_bytes);
  IcebergViews(const IcebergViews&) = delete;
  IcebergViews& operator=(const IcebergViews&) = delete;
  ~IcebergViews();

  // Creates or refreshes the views `statement` needs (bare names resolve in `database`): its
  // tables at their current snapshot (the identifiers of unaliased_sql) and its time-travel
  // references; pruning reads `sql` (statement.sql after QuoteDefaultDatabase). `is_hive`
  // says whether the Hive catalog has db.name, for the error about time travel on a Hive table.
  // Throws Error for an unknown table or snapshot, or a time before the first snapshot.
  IcebergScanStats Prepare(
      const std::string& sql, const TimeTravelStatement& statement, const std::string& database,
      const std::function<bool(const std::string&, const std::string&)>& is_hive);
  // True when db.name is an Iceberg table the last Prepare exposed (its Hive namesake is hidden).
  bool Exposes(const std::string& database, const std::string& name) const;

 private:
  struct View {
    std::string state;
    IcebergScanStats stats;
    std::string variable;
  };
  IcebergScanStats Expose(const iceberg::TableIdent& ident, const std::string& qualified_view,
                          const std::string& view_key, std::optional<int64_t> snapshot_id,
                          std::optional<int64_t> as_of_ms, const std::string& sql, bool prune);
  catalog::LakeFileResolver& ResolverFor(ObjectStore& lake);

  IcebergTables& tables_;
  duck::Connection& conn_;
  std::filesystem::path cache_dir_;
  uint64_t cache_bytes_;
  std::map<std::string, View> views_;                                            // by view key
  std::map<std::string, std::unique_ptr<catalog::LakeFileResolver>> resolvers_;  // by lake URI
  std::vector<std::string> exposed_;  // "db.name" of the last Prepare, lower-case
};

}  // namespace ticklake::query
