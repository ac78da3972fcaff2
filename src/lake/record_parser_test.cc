#include "lake/record_parser.h"

#include <gtest/gtest.h>

namespace ticklake::lake {

TEST(RecordParser, ParsesTheObjectAndItsPartition) {
  RecordParser parser(ParsePartitionSpec("Index"), 1 << 20, true);
  ParsedRecord out;
  auto error =
      parser.Parse("{ \"Index\": \"HSI\",\n \"Close\": 1.5 }", {"t", 3, 42, 1700000000000}, &out);
  ASSERT_FALSE(error) << *error;
  EXPECT_EQ(out.object.size(), 2u);
  EXPECT_EQ(double(out.object["Close"]), 1.5);
  EXPECT_EQ(out.partition_path, "index=HSI");
  EXPECT_EQ(parser.path_only_fields(), std::vector<std::string>{"Index"});
}

TEST(RecordParser, MissingOrNullPartitionFieldGoesToDefaultPartition) {
  RecordParser parser(ParsePartitionSpec("index,Venue"), 1 << 20, false);
  ParsedRecord out;
  ASSERT_FALSE(parser.Parse(R"({"INDEX":null,"x":1})", {}, &out));
  EXPECT_EQ(out.partition_path,
            "index=__HIVE_DEFAULT_PARTITION__/venue=__HIVE_DEFAULT_PARTITION__");
  ASSERT_FALSE(parser.Parse(R"({"index":7,"venue":"a/b"})", {}, &out));
  EXPECT_EQ(out.partition_path, "index=7/venue=a%2Fb");
}

TEST(RecordParser, TimeBucketsFromFieldsAndKafkaTimestamps) {
  RecordParser parser(ParsePartitionSpec("dt=day(ts),hour=hour(ts),kday=day(kafka)"), 1 << 20,
                      false);
  ParsedRecord out;
  ASSERT_FALSE(parser.Parse(R"({"ts":"2026-11-27T15:32:10.5Z"})", {"t", 0, 0, 0}, &out));
  EXPECT_EQ(out.partition_path, "dt=2026-11-27/hour=15/kday=1970-01-01");
  EXPECT_TRUE(parser.path_only_fields().empty());  // the time field stays in the data
  ASSERT_FALSE(parser.Parse(R"({"ts":1795793530123})", {"t", 0, 0, 86'400'000}, &out));  // epoch ms
  EXPECT_EQ(out.partition_path, "dt=2026-11-27/hour=15/kday=1970-01-02");
  ASSERT_FALSE(parser.Parse(R"({"ts":"yesterday"})", {}, &out));
  EXPECT_EQ(out.partition_path,
            "dt=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__/kday=1970-01-01");
}

TEST(RecordParser, EmptyObjectIsARecord) {
  RecordParser parser({}, 1 << 20, true);
  ParsedRecord out;
  ASSERT_FALSE(parser.Parse("{}", {"t", 0, 1, 2}, &out));
  EXPECT_EQ(out.object.size(), 0u);
}

TEST(RecordParser, RejectsBadRecordsWithReasons) {
  RecordParser parser(ParsePartitionSpec("Index"), 64, true);
  ParsedRecord out;
  EXPECT_NE(parser.Parse("not json", {}, &out)->find("not JSON"), std::string::npos);
  EXPECT_EQ(*parser.Parse("[1,2]", {}, &out), "not a JSON object");
  EXPECT_EQ(*parser.Parse("42", {}, &out), "not a JSON object");
  EXPECT_NE(parser.Parse("{\"a\":\"\xff\xfe\"}", {}, &out)->find("not JSON"), std::string::npos);
  EXPECT_NE(parser.Parse(std::string(100, ' '), {}, &out)->find("exceeds the limit of 64"),
            std::string::npos);
  EXPECT_NE(parser.Parse(R"({"kafka_offset":1})", {}, &out)->find("reserved"), std::string::npos);
  EXPECT_NE(parser.Parse(R"({"a":1} {"b":2})", {}, &out)->find("not JSON"), std::string::npos);
}

}  // namespace ticklake::lake
