#include "catalog/schema_reader.h"

#include <gtest/gtest.h>

namespace ticklake::catalog {

std::string Types(const std::vector<Column>& cols) {
  std::string out;
  for (const auto& c : cols) out += c.name + ":" + c.type + " ";
  return out;
}

TEST(InferJsonSchema, ReadsOneObjectPerFileAsTheTutorialWrites) {
  std::vector<Column> cols;
  int64_t records = 0;
  std::string error;
  ASSERT_TRUE(InferJsonSchema(
      "{\n  \"Index\": \"HSI\", \"Date\": \"1986-12-31\", \"Adj Close\": 2568.3, \"Volume\": 0.0}",
      100, &cols, &records, &error))
      << error;
  EXPECT_EQ(records, 1);
  EXPECT_EQ(Types(cols), "index:string date:date adj close:double volume:double ");
  EXPECT_EQ(cols[2].source_name, "Adj Close");
}

TEST(InferJsonSchema, WidensAcrossJsonLines) {
  std::vector<Column> cols;
  int64_t records = 0;
  std::string error;
  ASSERT_TRUE(InferJsonSchema(
      "{\"a\":1,\"t\":\"2024-01-01\"}\n\n{\"a\":2.5,\"b\":null,\"t\":\"2024-01-01T10:00:00Z\"}\n"
      "{\"a\":3,\"b\":true,\"n\":{\"x\":[1,2]}}\n",
      100, &cols, &records, &error))
      << error;
  EXPECT_EQ(records, 3);
  EXPECT_EQ(Types(cols), "a:double t:timestamp b:boolean n:struct<x:array<int>> ");
}

TEST(InferJsonSchema, MergesNamesThatDifferOnlyInCase) {
  std::vector<Column> cols;
  int64_t records = 0;
  std::string error;
  ASSERT_TRUE(
      InferJsonSchema("{\"Close\":1}\n{\"close\":30000000000}\n", 100, &cols, &records, &error));
  EXPECT_EQ(Types(cols), "close:bigint ");
}

TEST(InferJsonSchema, ReportsTheFirstMalformedLine) {
  std::vector<Column> cols;
  int64_t records = 0;
  std::string error;
  EXPECT_FALSE(InferJsonSchema("{\"a\":1}\n{\"a\":\n{\"a\":3}\n", 100, &cols, &records, &error));
  EXPECT_EQ(error.rfind("line 2: invalid JSON", 0), 0u) << error;
  EXPECT_FALSE(InferJsonSchema("[1,2]", 100, &cols, &records, &error));
  EXPECT_FALSE(InferJsonSchema("", 100, &cols, &records, &error));
}

TEST(InferJsonSchema, SamplesTypesButCountsEveryRecord) {
  std::vector<Column> cols;
  int64_t records = 0;
  std::string error;
  ASSERT_TRUE(
      InferJsonSchema("{\"a\":1}\n{\"a\":2}\n{\"a\":\"x\",\"b\":1}\n", 2, &cols, &records, &error));
  EXPECT_EQ(records, 3);
  EXPECT_EQ(Types(cols), "a:int ");
}

TEST(ClassifyKey, ByExtension) {
  bool gz = false;
  EXPECT_EQ(ClassifyKey("t/a=1/part-00000-1.parquet"), FileFormat::kParquet);
  EXPECT_EQ(ClassifyKey("stock_market_1.json"), FileFormat::kJson);
  EXPECT_EQ(ClassifyKey("x/y.NDJSON"), FileFormat::kJson);
  EXPECT_EQ(ClassifyKey("x/y.jsonl.gz", &gz), FileFormat::kJson);
  EXPECT_TRUE(gz);
  EXPECT_EQ(ClassifyKey("x/y.csv"), FileFormat::kCsv);
  EXPECT_EQ(ClassifyKey("x/README"), FileFormat::kUnknown);
}

}  // namespace ticklake::catalog
