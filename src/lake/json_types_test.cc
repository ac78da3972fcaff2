#include "lake/json_types.h"

#include <gtest/gtest.h>

namespace ticklake::lake {

TEST(JsonTypes, ParsesIsoDates) {
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("2026-11-27"), 20784);
  EXPECT_EQ(ParseIsoDate("2024-02-29"), 19782);
  EXPECT_FALSE(ParseIsoDate("2023-02-29"));
  EXPECT_FALSE(ParseIsoDate("2026-13-01"));
  EXPECT_FALSE(ParseIsoDate("HSI"));
  EXPECT_FALSE(ParseIsoDate("2026-11-27T00"));
}

TEST(JsonTypes, ParsesIsoTimestamps) {
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01T00:00:01Z"), 1'000'000);
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01 00:00:00.5"), 500'000);
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01T00:00:00.123456789Z"), 123'456);
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01T02:00:00+02:00"), 0);
  EXPECT_EQ(ParseIsoTimestamp("1970-01-01T00:00:00-0130"), 5'400'000'000);
  EXPECT_EQ(ParseIsoTimestamp("2026-11-27T15:32:10.123456Z"),
            int64_t{1795793530} * 1'000'000 + 123456);
  EXPECT_FALSE(ParseIsoTimestamp("2026-11-27"));
  EXPECT_FALSE(ParseIsoTimestamp("2026-11-27T25:00:00"));
  EXPECT_FALSE(ParseIsoTimestamp("2026-11-27T10:00:00Zjunk"));
  EXPECT_FALSE(ParseIsoTimestamp("2026-11-27T10:00:00."));
}

TEST(JsonTypes, CanonicalDatesAndTimestampsReadBackTheSame) {
  for (std::string_view text : {"1970-01-01", "2026-11-27", "2024-02-29", "0000-03-01",
                                "1969-12-31", "9999-12-31", "1600-02-29"}) {
    std::string out;
    AppendIsoDate(out, *ParseIsoDate(text));
    EXPECT_EQ(out, text);
  }
  for (std::string_view text :
       {"2026-11-27T15:32:10.123456Z", "1970-01-01T00:00:00.000000Z", "1969-12-31T23:59:59.999999Z",
        "1900-03-01T12:00:00.500000Z", "9999-12-31T23:59:59.999999Z"}) {
    auto micros = ParseCanonicalTimestamp(text);
    ASSERT_TRUE(micros) << text;
    EXPECT_EQ(micros, ParseIsoTimestamp(text));
    std::string out;
    AppendIsoTimestamp(out, *micros);
    EXPECT_EQ(out, text);
  }
  // Timestamps that are valid but would not read back the same: kept as text.
  for (std::string_view text : {"2026-11-27T15:32:10Z", "2026-11-27T15:32:10.123Z",
                                "2026-11-27 15:32:10.123456Z", "2026-11-27T15:32:10.123456+00",
                                "2016-12-31T23:59:60.000000Z", "2026-11-27T15:32:10.1234567"}) {
    EXPECT_FALSE(ParseCanonicalTimestamp(text)) << text;
  }
}

TEST(JsonTypes, ResolvesLikeReadJson) {
  auto resolve = [](ColumnEvidence e) { return e.Resolve(); };
  EXPECT_EQ(resolve({.integers = true}), ColumnType::kBigint);
  EXPECT_EQ(resolve({.integers = true, .decimals = true}), ColumnType::kDouble);
  EXPECT_EQ(resolve({.booleans = true}), ColumnType::kBoolean);
  EXPECT_EQ(resolve({.dates = true}), ColumnType::kDate);
  EXPECT_EQ(resolve({.dates = true, .timestamps = true}), ColumnType::kTimestamp);
  EXPECT_EQ(resolve({.integers = true, .other_strings = true}), ColumnType::kVarchar);
  EXPECT_EQ(resolve({.dates = true, .other_strings = true}), ColumnType::kVarchar);
  EXPECT_EQ(resolve({.booleans = true, .integers = true}), ColumnType::kVarchar);
  EXPECT_EQ(resolve({}), ColumnType::kVarchar);
}

}  // namespace ticklake::lake
