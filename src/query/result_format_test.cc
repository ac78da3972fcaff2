#include "query/result_format.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::query {

QueryResult Sample() {
  QueryResult r;
  r.column_names = {"index", "n", "adj close"};
  r.column_types = {"VARCHAR", "BIGINT", "DOUBLE"};
  r.rows = {{"HSI", "10", "1.5"}, {"a,\"b\"", "2", std::nullopt}};
  return r;
}

TEST(ResultFormat, AlignsTablesAndRightAlignsNumbers) {
  EXPECT_EQ(FormatResult(Sample(), OutputFormat::kTable),
            "index |  n | adj close\n"
            "------+----+----------\n"
            "HSI   | 10 |       1.5\n"
            "a,\"b\" |  2 |      NULL\n"
            "(2 rows)\n");
}

TEST(ResultFormat, LimitsRows) {
  std::string out = FormatResult(Sample(), OutputFormat::kTable, 1);
  EXPECT_NE(out.find("(2 rows, 1 shown"), std::string::npos) << out;
}

TEST(ResultFormat, WritesCsvJsonAndMarkdown) {
  EXPECT_EQ(FormatResult(Sample(), OutputFormat::kCsv),
            "index,n,adj close\nHSI,10,1.5\n\"a,\"\"b\"\"\",2,\n");
  EXPECT_EQ(FormatResult(Sample(), OutputFormat::kJson),
            "{\"index\":\"HSI\",\"n\":10,\"adj close\":1.5}\n"
            "{\"index\":\"a,\\\"b\\\"\",\"n\":2,\"adj close\":null}\n");
  EXPECT_EQ(FormatResult(Sample(), OutputFormat::kMarkdown),
            "| index | n | adj close |\n| --- | ---: | ---: |\n| HSI | 10 | 1.5 |\n"
            "| a,\"b\" | 2 | NULL |\n");
  EXPECT_THROW(ParseOutputFormat("xml"), Error);
}

}  // namespace ticklake::query
