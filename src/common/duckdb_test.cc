#include "common/duckdb.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::duck {

TEST(DuckDB, QueriesAndReadsValues) {
  Database db;
  Connection conn(db);
  Result r = conn.Query("SELECT 42::BIGINT AS answer, 'it''s' AS s, NULL AS n");
  ASSERT_EQ(r.RowCount(), 1u);
  EXPECT_EQ(r.ColumnName(0), "answer");
  EXPECT_EQ(r.GetInt64(0, 0), 42);
  EXPECT_EQ(r.GetString(1, 0), "it's");
  EXPECT_FALSE(r.GetString(2, 0).has_value());
}

TEST(DuckDB, ErrorsCarryTheStatementAndConnectionStaysUsable) {
  Database db;
  Connection conn(db);
  try {
    conn.Query("SELEC 1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SELEC 1"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  EXPECT_EQ(conn.Query("SELECT 1").GetInt64(0, 0), 1);
}

TEST(DuckDB, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(QuoteIdentifier("Adj \"Close\""), "\"Adj \"\"Close\"\"\"");
  EXPECT_EQ(QuoteLiteral("o'k"), "'o''k'");
}

}  // namespace ticklake::duck
