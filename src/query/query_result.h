// QueryResult: what one SQL statement returned, materialised as text. Every value is rendered as
// DuckDB's cast to VARCHAR renders it; NULL is nullopt. Column types are DuckDB's type names
// (BIGINT, DOUBLE, VARCHAR, ...), which formatters use to align numbers and to write JSON numbers.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ticklake::query {

struct QueryResult {
  std::string query_id;   // uuid, as Athena gives every query
  std::string statement;  // SELECT | EXPLAIN | CTAS
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;                      // DuckDB type names
  std::vector<std::vector<std::optional<std::string>>> rows;  // the first keep_rows rows
  int64_t total_rows = 0;  // rows the statement returned (>= rows.size())
  double seconds = 0;
  int64_t bytes_scanned = 0;    // sizes of the catalog files the query could read
  std::string result_location;  // saved CSV, when results are saved
  // Iceberg tables only: data files read, and skipped by partition values and column statistics.
  int64_t files_scanned = 0;
  int64_t files_pruned = 0;
};

}  // namespace ticklake::query
