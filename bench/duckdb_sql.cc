// A minimal SQL runner over the same embedded DuckDB, for the benchmark scripts: runs each
// argument as a statement and prints the last result's rows tab-separated.
#include <fmt/format.h>

#include "common/duckdb.h"
#include "common/error.h"

int main(int argc, char** argv) {
  try {
    ticklake::duck::Database db;
    ticklake::duck::Connection conn(db);
    ticklake::duck::Result result;
    for (int i = 1; i < argc; ++i) result = conn.Query(argv[i]);
    for (size_t row = 0; row < result.RowCount(); ++row) {
      for (size_t col = 0; col < result.ColumnCount(); ++col) {
        fmt::print("{}{}", col ? "\t" : "", result.GetString(col, row).value_or("NULL"));
      }
      fmt::print("\n");
    }
  } catch (const ticklake::Error& e) {
    fmt::print(stderr, "duckdb_sql: {}\n", e.what());
    return 1;
  }
}
