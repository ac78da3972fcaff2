#include "catalog/partition_path.h"

#include <gtest/gtest.h>

namespace ticklake::catalog {

TEST(PartitionPath, ParsesNamedLevels) {
  auto levels = ParsePartitionPath("index=HSI/Year=2020/");
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_EQ(levels[0].key, "index");
  EXPECT_EQ(levels[0].value, "HSI");
  EXPECT_EQ(levels[1].key, "year");  // Glue lower-cases keys
  EXPECT_EQ(levels[1].value, "2020");
  EXPECT_EQ(levels[1].segment, "Year=2020");
  EXPECT_TRUE(ParsePartitionPath("").empty());
}

TEST(PartitionPath, UnescapesValuesAndMapsTheDefaultPartitionToNull) {
  auto levels =
      ParsePartitionPath("index=000001.SS/name=a%2Fb%3Dc%20d/x=__HIVE_DEFAULT_PARTITION__");
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].value, "000001.SS");
  EXPECT_EQ(levels[1].value, "a/b=c d");
  EXPECT_FALSE(levels[2].value.has_value());
}

TEST(PartitionPath, NamesUnnamedLevelsByPosition) {
  auto levels = ParsePartitionPath("2024/01/day=02");
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].key, "partition_0");
  EXPECT_EQ(levels[0].value, "2024");
  EXPECT_EQ(levels[1].key, "partition_1");
  EXPECT_EQ(levels[2].key, "day");
}

TEST(PartitionPath, EscapesRoundTrip) {
  for (std::string v : {"HSI", "a/b", "x=y", "100%", "it's", "tab\there", "[1]"}) {
    EXPECT_EQ(UnescapeHivePathComponent(EscapeHivePathComponent(v)), v);
    EXPECT_EQ(EscapeHivePathComponent(v).find('/'), std::string::npos);
  }
  EXPECT_EQ(EscapeHivePathComponent("a/b"), "a%2Fb");
  EXPECT_EQ(UnescapeHivePathComponent("bad%zz%4"), "bad%zz%4");
}

TEST(PartitionPath, InfersPartitionTypes) {
  EXPECT_EQ(InferPartitionType({"1", "22", std::nullopt}), "int");
  EXPECT_EQ(InferPartitionType({"1", "9999999999"}), "bigint");
  EXPECT_EQ(InferPartitionType({"2024-01-01", "2024-01-02"}), "date");
  EXPECT_EQ(InferPartitionType({"HSI", "1"}), "string");
  EXPECT_EQ(InferPartitionType({"007"}), "string");
  EXPECT_EQ(InferPartitionType({std::nullopt}), "string");
}

}  // namespace ticklake::catalog
