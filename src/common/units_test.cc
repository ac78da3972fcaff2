#include "common/units.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake {
namespace {

TEST(Units, Durations) {
  EXPECT_EQ(ParseDurationMs("7d", "--older-than"), 7 * 86400000LL);
  EXPECT_EQ(ParseDurationMs("12h", "x"), 12 * 3600000LL);
  EXPECT_EQ(ParseDurationMs("30m", "x"), 30 * 60000LL);
  EXPECT_EQ(ParseDurationMs("1.5s", "x"), 1500);
  EXPECT_EQ(ParseDurationMs("0s", "x"), 0);
  for (const char* bad : {"7", "d", "-1d", "7 days", "7y", ""}) {
    try {
      ParseDurationMs(bad, "--older-than");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--older-than: invalid duration"), std::string::npos)
          << e.what();
    }
  }
}

TEST(Units, Sizes) {
  EXPECT_EQ(ParseByteSize("128M", "x"), 128ull << 20);
  EXPECT_EQ(ParseByteSize("1G", "x"), 1ull << 30);
  EXPECT_EQ(ParseByteSize("512KiB", "x"), 512ull << 10);
  EXPECT_EQ(ParseByteSize("2mb", "x"), 2ull << 20);
  EXPECT_EQ(ParseByteSize("1000", "x"), 1000u);
  for (const char* bad : {"M", "12Q", "-1M", "1 G", ""}) {
    EXPECT_THROW(ParseByteSize(bad, "--target-file-size"), Error) << bad;
  }
}

}  // namespace
}  // namespace ticklake
