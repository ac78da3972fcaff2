// Partition and file pruning for Iceberg tables: the simple predicates of a statement on a
// table's columns, as ScanRequest ranges that Table::Plan checks against each data file's
// partition values and column bounds (manifest statistics), so files that cannot hold a
// matching row are never read (nor downloaded from S3).
//
// Recognised, like PartitionEqualities (query/sql_text.h) and as conservatively: only statements
// of the plain shape SELECT ... FROM one_table WHERE c1 AND c2 ... (no OR, NOT, subquery, join,
// set operation or CTE), and only conjuncts `col OP literal` or `literal OP col` with OP one of
// = < <= > >=, `col IN (literals)` and `col BETWEEN literal AND literal`. Literals: strings,
// numbers, DATE '…', TIMESTAMP '…'; a literal is used only when it converts exactly to the
// column's Iceberg type (an integer for int/long, a date for date, …) — anything else is left to
// DuckDB, so pruning never changes an answer. Strict bounds are kept inclusive (still safe).
// timestamptz columns are pruned only by literals that name their zone.
//
// Thread-safety: pure function.
#pragma once

#include <string_view>
#include <vector>

#include "iceberg/schema.h"
#include "iceberg/table.h"

namespace ticklake::query {

std::vector<iceberg::ScanRequest::Range> IcebergRanges(std::string_view sql,
                                                       const iceberg::Schema& schema);

}  // namespace ticklake::query
