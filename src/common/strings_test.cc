#include "common/strings.h"

#include <gtest/gtest.h>

namespace ticklake {

TEST(Strings, LowerAndCompareAsciiOnly) {
  EXPECT_EQ(AsciiLower("Adj Close É"), "adj close É");
  EXPECT_TRUE(EqualsIgnoreAsciiCase("CloseUSD", "closeusd"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Close", "Closes"));
}

TEST(Strings, FormatsUtcMillis) {
  EXPECT_EQ(FormatUtcMillis(1795793530123), "2026-11-27 15:32:10");
  EXPECT_EQ(FormatUtcMillis(0), "-");
}

}  // namespace ticklake
