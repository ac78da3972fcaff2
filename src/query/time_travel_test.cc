#include "query/time_travel.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::query {
namespace {

TEST(TimeTravel, VersionClauseBecomesAliasedSnapshotView) {
  auto r = RewriteTimeTravel("SELECT t.close FROM stock_market FOR VERSION AS OF 42 WHERE x = 1");
  ASSERT_EQ(r.refs.size(), 1u);
  EXPECT_EQ(r.refs[0].table, "stock_market");
  EXPECT_EQ(r.refs[0].database, "");
  EXPECT_EQ(r.refs[0].snapshot_id, 42);
  EXPECT_EQ(r.refs[0].view, "stock_market@v42");
  EXPECT_EQ(r.sql,
            "SELECT t.close FROM \"__ticklake_iceberg\".\"stock_market@v42\" AS \"stock_market\" "
            "WHERE x = 1");
  EXPECT_EQ(r.unaliased_sql,
            "SELECT t.close FROM \"__ticklake_iceberg\".\"stock_market@v42\" WHERE x = 1");
}

TEST(TimeTravel, TimestampClauseQualifiedNameAndOwnAlias) {
  auto r = RewriteTimeTravel(
      "select * from default.t for timestamp as of timestamp '2026-11-29 10:00:00' a, "
      "\"T2\" FOR SYSTEM_TIME AS OF '2026-11-29T11:00:00Z'");
  ASSERT_EQ(r.refs.size(), 2u);
  EXPECT_EQ(r.refs[0].database, "default");
  EXPECT_EQ(r.refs[0].as_of_ms, 1795946400000);
  EXPECT_EQ(r.refs[1].table, "T2");
  EXPECT_EQ(r.refs[1].as_of_ms, 1795946400000 + 3600000);
  EXPECT_EQ(r.sql,
            "select * from \"__ticklake_iceberg\".\"default.t@t1795946400000\" a, "
            "\"__ticklake_iceberg\".\"T2@t1795950000000\" AS \"T2\"");
}

TEST(TimeTravel, LeavesOtherStatementsAlone) {
  std::string sql = "SELECT 'FOR VERSION AS OF 1' AS x FROM t -- FOR VERSION AS OF 2";
  auto r = RewriteTimeTravel(sql);
  EXPECT_TRUE(r.refs.empty());
  EXPECT_EQ(r.sql, sql);
}

TEST(TimeTravel, BadValuesAreClearErrors) {
  EXPECT_THROW(RewriteTimeTravel("SELECT * FROM t FOR VERSION AS OF 'x'"), Error);
  EXPECT_THROW(RewriteTimeTravel("SELECT * FROM t FOR TIMESTAMP AS OF 5"), Error);
  try {
    RewriteTimeTravel("SELECT * FROM t FOR TIMESTAMP AS OF TIMESTAMP 'yesterday'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("invalid timestamp 'yesterday'"), std::string::npos);
  }
}

TEST(TimeTravel, TimestampsWithZonesAndFractions) {
  EXPECT_EQ(ParseUtcTimestampMs("1970-01-01"), 0);
  EXPECT_EQ(ParseUtcTimestampMs("1970-01-01 00:00:01.5"), 1500);
  EXPECT_EQ(ParseUtcTimestampMs("1970-01-01 01:00:00 UTC"), 3600000);
  EXPECT_EQ(ParseUtcTimestampMs("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseUtcTimestampMs("1970-01-01 00:00-0030"), 1800000);
  EXPECT_THROW(ParseUtcTimestampMs("2026-02-30"), Error);
  EXPECT_THROW(ParseUtcTimestampMs("2026-11-29 25:00"), Error);
  EXPECT_THROW(ParseUtcTimestampMs("2026-11-29 10:00 CET"), Error);
}

}  // namespace
}  // namespace ticklake::query
