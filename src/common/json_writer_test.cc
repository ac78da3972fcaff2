#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace ticklake {

TEST(JsonWriter, EscapesControlAndQuoteCharacters) {
  std::string out;
  AppendJsonString(out, std::string_view("a\"b\\c\nd\x01 é", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 é\"");
}

TEST(JsonWriter, NumbersRoundTripAndNonFiniteIsNull) {
  std::string out;
  AppendJsonNumber(out, 0.1);
  out += ',';
  AppendJsonNumber(out, std::numeric_limits<double>::quiet_NaN());
  out += ',';
  AppendJsonNumber(out, 12345678.0);
  EXPECT_EQ(out, "0.1,null,12345678");
}

}  // namespace ticklake
