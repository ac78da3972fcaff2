#include "lake/column_batch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "lake/column_batch_testing.h"

namespace ticklake::lake {

using Kind = ColumnBatch::Kind;

TEST(ColumnBatch, HoldsTypedColumnsWithEvidenceAndNullsForMissingFields) {
  ColumnBatch batch = ColumnBatchOf(
      "{\"Index\":\"HSI\",\"Close\":1.5,\"Volume\":7}\n"
      "{\"Index\":\"N225\",\"Volume\":8,\"late\":\"2026-11-29\"}\n");
  ASSERT_EQ(batch.rows(), 2u);
  ASSERT_EQ(batch.columns().size(), 4u);
  const auto& close = batch.columns()[1];
  EXPECT_EQ(close.name, "Close");
  EXPECT_EQ(close.kinds, (std::vector<Kind>{Kind::kDouble, Kind::kNull}));
  EXPECT_EQ(ColumnBatch::Double(close.slots[0]), 1.5);
  EXPECT_EQ(close.evidence.Resolve(), ColumnType::kDouble);
  const auto& late = batch.columns()[3];
  EXPECT_EQ(late.kinds, (std::vector<Kind>{Kind::kNull, Kind::kString}));
  EXPECT_EQ(batch.Text(late.slots[1]), "2026-11-29");
  EXPECT_EQ(late.evidence.Resolve(), ColumnType::kDate);
  EXPECT_EQ(batch.columns()[2].evidence.Resolve(), ColumnType::kBigint);
  EXPECT_EQ(ColumnBatch::Int(batch.columns()[2].slots[1]), 8);
  EXPECT_FALSE(batch.needs_read_json());
  EXPECT_GT(batch.allocated_bytes(), 0u);
}

TEST(ColumnBatch, LeavesOutTheNamedFieldsInAnyCase) {
  const std::vector<std::string> left_out = {"Index", "venue"};
  ColumnBatch batch = ColumnBatchOf(
      "{\"Index\":\"HSI\",\"Close\":1.5,\"Venue\":\"x\"}\n"
      "{\"INDEX\":\"N225\",\"Close\":2}\n"
      "{\"Close\":3,\"index\":{\"nested\":1}}\n",
      "t", 0, left_out);
  ASSERT_EQ(batch.rows(), 3u);
  ASSERT_EQ(batch.columns().size(), 1u);
  EXPECT_EQ(batch.columns()[0].name, "Close");
  EXPECT_EQ(batch.columns()[0].kinds, (std::vector<Kind>{Kind::kDouble, Kind::kInt, Kind::kInt}));
  EXPECT_FALSE(batch.needs_read_json());  // the nested value was left out too
}

TEST(ColumnBatch, CountsWhatItsColumnsAndArenaHoldAllocatedAsItGrows) {
  std::string jsonl;
  for (int i = 0; i < 5000; ++i) {  // fields appear late, go missing, repeat within a record
    jsonl += fmt::format("{{\"Index\":\"I{}\",\"v\":{}", i % 14, i);
    if (i >= 1000) jsonl += fmt::format(",\"late\":\"{}\"", std::string(i % 40, 'x'));
    if (i % 3 == 0) jsonl += ",\"v\":1.5";
    jsonl += "}\n";
  }
  ColumnBatch batch = ColumnBatchOf(jsonl);
  size_t expected = batch.offsets().capacity() * 8 + batch.timestamps_ms().capacity() * 8;
  for (const auto& column : batch.columns())
    expected += column.kinds.capacity() + column.slots.capacity() * sizeof(uint64_t);
  // The arena's capacity is not visible: at least its strings, at most twice as much.
  EXPECT_GE(batch.allocated_bytes(), expected + 5000 * 6);
  EXPECT_LE(batch.allocated_bytes(), expected + 2 * (5000 * 6 + 4000 * 44) + 16);
}

TEST(ColumnBatch, GrowsByAQuarterNotByDoubling) {
  // What a batch allocates is what the sink's memory bound counts: little of it may sit unused.
  std::string jsonl;
  for (int i = 0; i < 10000; ++i) jsonl += fmt::format("{{\"v\":{},\"s\":\"abc\"}}\n", i);
  ColumnBatch batch = ColumnBatchOf(jsonl);
  auto at_most_a_quarter_more = [](size_t capacity, size_t size) {
    return capacity <= size + size / 4 + 16;
  };
  EXPECT_TRUE(at_most_a_quarter_more(batch.offsets().capacity(), 10000));
  for (const auto& column : batch.columns()) {
    EXPECT_TRUE(at_most_a_quarter_more(column.kinds.capacity(), 10000)) << column.name;
    EXPECT_TRUE(at_most_a_quarter_more(column.slots.capacity(), 10000)) << column.name;
  }
  const size_t used = 10000 * (8 + 8 + 2 * (1 + 8) + 4 + 3);  // offsets, timestamps, columns, text
  EXPECT_GE(batch.allocated_bytes(), used);
  EXPECT_LE(batch.allocated_bytes(), used + used / 4 + 16 * 8 * 6);

  // Mostly text, just past a size where a doubling string would have doubled (15 << 15).
  jsonl.clear();
  const std::string text(40, 'x');
  for (int i = 0; i < 11200; ++i) jsonl += fmt::format("{{\"t\":\"{}\"}}\n", text);
  ColumnBatch texts = ColumnBatchOf(jsonl);
  const size_t arena = 11200 * (4 + 40), rest = 11200 * (8 + 8 + 1 + 8);
  EXPECT_LE(texts.allocated_bytes(), (arena + rest) * 5 / 4 + 16 * 8 * 5);
}

TEST(ColumnBatch, NestedValuesAndCaseConflictsNeedReadJson) {
  EXPECT_TRUE(ColumnBatchOf("{\"a\":{\"x\":[1,2]}}\n").needs_read_json());
  EXPECT_TRUE(ColumnBatchOf("{\"Close\":1}\n{\"close\":2}\n").needs_read_json());
}

TEST(ColumnBatch, TurnsBackIntoJsonLinesWithKafkaColumns) {
  ColumnBatch batch = ColumnBatchOf(
      "{\"s\":\"a\\\"b\",\"d\":2.0,\"i\":-3,\"b\":true,\"n\":null,\"o\":{\"x\": [1, 2]}}\n"
      "{\"i\":4,\"i\":5}\n",
      "ticks", 3);
  std::string out;
  batch.AppendJsonLines(out, true);
  EXPECT_EQ(out,
            "{\"s\":\"a\\\"b\",\"d\":2.0,\"i\":-3,\"b\":true,\"o\":{\"x\":[1,2]},"
            "\"kafka_topic\":\"ticks\",\"kafka_partition\":3,\"kafka_offset\":0,"
            "\"kafka_timestamp\":0}\n"
            "{\"i\":5,\"kafka_topic\":\"ticks\",\"kafka_partition\":3,\"kafka_offset\":1,"
            "\"kafka_timestamp\":1}\n");
  out.clear();
  ColumnBatchOf("{}\n").AppendJsonLines(out, false);
  EXPECT_EQ(out, "{}\n");
}

}  // namespace ticklake::lake
