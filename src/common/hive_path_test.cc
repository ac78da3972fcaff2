#include "common/hive_path.h"

#include <gtest/gtest.h>

namespace ticklake {

TEST(HivePath, EscapesLikeHive) {
  EXPECT_EQ(EscapeHivePathComponent("HSI"), "HSI");
  EXPECT_EQ(EscapeHivePathComponent("000001.SS"), "000001.SS");
  EXPECT_EQ(EscapeHivePathComponent("a/b=c:d"), "a%2Fb%3Dc%3Ad");
  EXPECT_EQ(EscapeHivePathComponent("100%"), "100%25");
  EXPECT_EQ(EscapeHivePathComponent("a b+é"), "a b+é");  // Hive leaves these alone
  EXPECT_EQ(EscapeHivePathComponent("x\ny"), "x%0Ay");
}

TEST(HivePath, UnescapeRoundTrips) {
  for (std::string v : {"a/b=c:d", "100%", "plain", "x\ny", "#{[]}^"}) {
    EXPECT_EQ(UnescapeHivePathComponent(EscapeHivePathComponent(v)), v);
  }
  EXPECT_EQ(UnescapeHivePathComponent("bad%zz%4"), "bad%zz%4");
}

TEST(HivePath, BuildsPathsWithDefaultPartition) {
  EXPECT_EQ(HivePartitionPath({"index", "dt"}, {std::string("HSI"), std::nullopt}),
            "index=HSI/dt=__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(HivePartitionPath({"index"}, {std::string("")}), "index=__HIVE_DEFAULT_PARTITION__");
}

}  // namespace ticklake
