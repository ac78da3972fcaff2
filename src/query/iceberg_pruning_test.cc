#include "query/iceberg_pruning.h"

#include <gtest/gtest.h>

namespace ticklake::query {
namespace {

iceberg::NestedField Field(int32_t id, const char* name, iceberg::TypeId type) {
  iceberg::NestedField f;
  f.id = id;
  f.name = name;
  f.type = type;
  return f;
}

using iceberg::Literal;
using iceberg::TypeId;

iceberg::Schema TickSchema() {
  iceberg::Schema s;
  s.fields = {Field(1, "index", TypeId::kString),  Field(2, "ts", TypeId::kTimestamp),
              Field(3, "close", TypeId::kDouble),  Field(4, "seq", TypeId::kLong),
              Field(5, "day", TypeId::kDate),      Field(6, "n", TypeId::kInt),
              Field(7, "tz", TypeId::kTimestampTz)};
  return s;
}

TEST(IcebergPruning, EqualitiesRangesInAndBetween) {
  auto r = IcebergRanges(
      "SELECT * FROM t WHERE \"index\" = 'HSI' AND seq >= 10 AND 20 > seq AND day BETWEEN "
      "DATE '2026-11-01' AND '2026-11-30' AND n IN (3, -1, 7) ORDER BY 1",
      TickSchema());
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].field_id, 1);
  EXPECT_EQ(r[0].lower, Literal(std::string("HSI")));
  EXPECT_EQ(r[0].upper, Literal(std::string("HSI")));
  EXPECT_EQ(r[1].field_id, 4);
  EXPECT_EQ(r[1].lower, Literal(int64_t{10}));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(r[1].upper));
  EXPECT_EQ(r[2].upper, Literal(int64_t{20}));  // 20 > seq: an upper bound
  EXPECT_TRUE(std::holds_alternative<std::monostate>(r[2].lower));
  EXPECT_EQ(r[3].field_id, 5);
  EXPECT_EQ(r[3].lower, Literal(int32_t{20758}));  // 2026-11-01 in days
  EXPECT_EQ(r[3].upper, Literal(int32_t{20787}));
  EXPECT_EQ(r[4].lower, Literal(int32_t{-1}));
  EXPECT_EQ(r[4].upper, Literal(int32_t{7}));
}

TEST(IcebergPruning, TimestampsInMicrosAndZonesMatchTheType) {
  auto r = IcebergRanges(
      "SELECT 1 FROM t WHERE ts < TIMESTAMP '2026-11-29 10:00:00.0000015' AND tz >= "
      "'2026-11-29 10:00:00+01:00' AND ts > '2026-11-29 10:00:00 UTC'",
      TickSchema());
  ASSERT_EQ(r.size(), 2u);  // a zoned literal on a plain timestamp is left to DuckDB
  EXPECT_EQ(r[0].upper, Literal(int64_t{1795946400000000 + 999}));
  EXPECT_EQ(r[1].field_id, 7);
  EXPECT_EQ(r[1].lower, Literal(int64_t{1795942800000000}));
}

TEST(IcebergPruning, AnythingUnsureMeansNoRange) {
  iceberg::Schema s = TickSchema();
  for (const char* sql :
       {"SELECT * FROM t WHERE \"index\" = 'HSI' OR seq = 1", "SELECT * FROM t WHERE NOT seq = 1",
        "SELECT * FROM t, u WHERE seq = 1", "SELECT * FROM t JOIN u ON true WHERE seq = 1",
        "SELECT * FROM t WHERE seq IN (SELECT 1)",
        "WITH x AS (SELECT 1) SELECT * FROM t WHERE seq = 1",
        "SELECT * FROM t WHERE seq = 1.5",    // not a long
        "SELECT * FROM t WHERE close = 'x'",  // string vs double
        "SELECT * FROM t WHERE seq + 1 = 2",  // an expression
        "SELECT * FROM t WHERE nosuch = 1",   // not a column
        "SELECT * FROM t WHERE \"index\" <> 'HSI'", "SELECT * FROM t"}) {
    EXPECT_TRUE(IcebergRanges(sql, s).empty()) << sql;
  }
  // IS NOT NULL is harmless; other conjuncts still count.
  EXPECT_EQ(IcebergRanges("SELECT * FROM t WHERE close IS NOT NULL AND seq = 3", s).size(), 1u);
}

}  // namespace
}  // namespace ticklake::query
