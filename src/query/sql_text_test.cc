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
  auto c = ParseCtas(
      "CREATE TABLE IF NOT EXISTS analytics.Daily WITH (format='PARQUET') AS\n"
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

TEST(SqlText, FindsPartitionEqualitiesOnlyWhereThePlainShapeMakesThemSafe) {
  std::set<std::string> keys = {"index", "year"};
  using Map = std::map<std::string, std::set<std::string>>;
  EXPECT_EQ(
      PartitionEqualities("SELECT * FROM t WHERE \"index\" = 'HSI' AND close > 3 ORDER BY 1", keys),
      (Map{{"index", {"s:HSI"}}}));
  EXPECT_EQ(PartitionEqualities("SELECT count(*) FROM t x WHERE x.year IN (2020, 2021) AND "
                                "'NYA' = index GROUP BY 1",
                                keys),
            (Map{{"index", {"s:NYA"}}, {"year", {"n:2020", "n:2021"}}}));
  EXPECT_EQ(PartitionEqualities("SELECT * FROM t WHERE index = 'a' AND index IN ('a', 'b')", keys),
            (Map{{"index", {"s:a"}}}));
  for (const char* unsafe : {
           "SELECT * FROM t WHERE index = 'HSI' OR close > 1",
           "SELECT * FROM t WHERE NOT index = 'HSI'",
           "SELECT * FROM t WHERE index = (SELECT max(index) FROM t)",
           "SELECT * FROM t JOIN u ON t.a = u.a WHERE u.index = 'HSI'",
           "SELECT * FROM t, u WHERE u.index = 'HSI'",
           "WITH x AS (SELECT 1) SELECT * FROM t WHERE index = 'HSI'",
           "SELECT * FROM t WHERE index = 'HSI' UNION ALL SELECT * FROM t",
           "SELECT * FROM t WHERE index = lower('HSI')",
           "SELECT * FROM t WHERE index LIKE 'H%'",
       }) {
    EXPECT_TRUE(PartitionEqualities(unsafe, keys).empty()) << unsafe;
  }
}

}  // namespace ticklake::query
