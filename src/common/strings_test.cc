#include "common/strings.h"

#include <gtest/gtest.h>

namespace ticklake {

TEST(Strings, LowerAndCompareAsciiOnly) {
  EXPECT_EQ(AsciiLower("Adj Close É"), "adj close É");
  EXPECT_TRUE(EqualsIgnoreAsciiCase("CloseUSD", "closeusd"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Close", "Closes"));
}

}  // namespace ticklake
