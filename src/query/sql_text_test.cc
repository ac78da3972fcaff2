#include "query/sql_text.h"

#include <gtest/gtest.h>

namespace ticklake::query {

TEST(SqlText, SplitsStatementsRespectingQuotesAndComments) {
  auto s = SplitStatements("SELECT ';' AS a; -- x; y\nSELECT \"a;b\" FROM t /* ; */;\n ; ");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "SELECT ';' AS a");
  EXPECT_EQ(s[1], "-- x; y\nSELECT \"a;b\" FROM t /* ; */");
  EXPECT_TRUE(SplitStatements("  -- only a comment\n").empty());
}

TEST(SqlText, FindsIdentifiers) {
  auto ids = Identifiers("SELECT \"adj close\" FROM Stock_Market s WHERE x = 'tutorial'");
  EXPECT_TRUE(ids.count("stock_market"));
  EXPECT_TRUE(ids.count("adj close"));
  EXPECT_FALSE(ids.count("tutorial"));  // a string, not a name
}

TEST(SqlText, QuotesTheDefaultDatabase) {
  EXPECT_EQ(QuoteDefaultDatabase("SELECT * FROM default.t WHERE c = 'default.x'"),
            "SELECT * FROM \"default\".t WHERE c = 'default.x'");
  EXPECT_EQ(QuoteDefaultDatabase("SELECT coalesce(a, 1) AS default_x"),
            "SELECT coalesce(a, 1) AS default_x");
}

TEST(SqlText, RecognisesCtas) {
  auto c = ParseCtas("CREATE TABLE IF NOT EXISTS analytics.Daily WITH (format='PARQUET') AS\n"
                     "SELECT 1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database, "analytics");
  EXPECT_EQ(c->table, "daily");
  EXPECT_TRUE(c->if_not_exists);
  EXPECT_EQ(c->select, "SELECT 1");
  EXPECT_FALSE(ParseCtas("CREATE TABLE t (a INT)"));
  EXPECT_FALSE(ParseCtas("SELECT 1"));
  EXPECT_FALSE(ParseCtas("CREATE EXTERNAL TABLE t AS SELECT 1"));
}

}  // namespace ticklake::query
