#include "lake/column_batch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "lake/column_batch_testing.h"

namespace ticklake::lake {

using Kind = ColumnBatch::Kind;

std::vector<Kind> KindsOf(const ColumnBatch& batch, size_t column) {
  std::vector<Kind> kinds;
  for (size_t row = 0; row < batch.rows(); ++row) kinds.push_back(batch.kind(row, column));
  return kinds;
}

TEST(ColumnBatch, HoldsTypedColumnsWithEvidenceAndNullsForMissingFields) {
  ColumnBatch batch = ColumnBatchOf(
      "{\"Index\":\"HSI\",\"Close\":1.5,\"Volume\":7}\n"
      "{\"Index\":\"N225\",\"Volume\":8,\"late\":\"2026-11-29\"}\n");
  ASSERT_EQ(batch.rows(), 2u);
  ASSERT_EQ(batch.columns().size(), 4u);
  EXPECT_EQ(batch.columns()[1].name, "Close");
  EXPECT_EQ(KindsOf(batch, 1), (std::vector<Kind>{Kind::kDouble, Kind::kNull}));
  EXPECT_EQ(ColumnBatch::Double(batch.slot(0, 1)), 1.5);
  EXPECT_EQ(batch.columns()[1].evidence.Resolve(), ColumnType::kDouble);
  EXPECT_EQ(KindsOf(batch, 3), (std::vector<Kind>{Kind::kNull, Kind::kDate}));
  EXPECT_EQ(ColumnBatch::TimeText(Kind::kDate, batch.slot(1, 3)), "2026-11-29");
  EXPECT_EQ(batch.columns()[3].evidence.Resolve(), ColumnType::kDate);
  EXPECT_EQ(batch.columns()[2].evidence.Resolve(), ColumnType::kBigint);
  EXPECT_EQ(ColumnBatch::Int(batch.slot(1, 2)), 8);
  EXPECT_EQ(batch.Text(batch.slot(1, 0)), "N225");
  EXPECT_FALSE(batch.needs_read_json());
  EXPECT_GT(batch.allocated_bytes(), 0u);
}

TEST(ColumnBatch, KeepsCanonicalDatesAndTimestampsAsNumbersAndOthersAsText) {
  ColumnBatch batch = ColumnBatchOf(
      "{\"t\":\"2026-11-29T15:26:53.257068Z\"}\n"
      "{\"t\":\"2026-11-29T15:26:53Z\"}\n"
      "{\"t\":\"2026-11-29\"}\n"
      "{\"t\":\"2016-12-31T23:59:60.000000Z\"}\n");
  EXPECT_EQ(KindsOf(batch, 0),
            (std::vector<Kind>{Kind::kTimestamp, Kind::kString, Kind::kDate, Kind::kString}));
  EXPECT_EQ(ColumnBatch::Int(batch.slot(0, 0)), *ParseIsoTimestamp("2026-11-29T15:26:53.257068Z"));
  EXPECT_EQ(batch.columns()[0].evidence.Resolve(), ColumnType::kTimestamp);
  std::string out;
  batch.AppendJsonLines(out, false);
  EXPECT_EQ(out,
            "{\"t\":\"2026-11-29T15:26:53.257068Z\"}\n{\"t\":\"2026-11-29T15:26:53Z\"}\n"
            "{\"t\":\"2026-11-29\"}\n{\"t\":\"2016-12-31T23:59:60.000000Z\"}\n");
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
  EXPECT_EQ(KindsOf(batch, 0), (std::vector<Kind>{Kind::kDouble, Kind::kInt, Kind::kInt}));
  EXPECT_FALSE(batch.needs_read_json());  // the nested value was left out too
}

TEST(ColumnBatch, KeepsEveryValueAcrossSegmentsAndColumnsThatAppearPartWay) {
  // Fields appear late (part-way through a segment), go missing, repeat within a record.
  std::string jsonl;
  for (int i = 0; i < 5000; ++i) {
    jsonl += fmt::format("{{\"Index\":\"I{}\",\"v\":{}", i % 14, i);
    if (i >= 1000) jsonl += fmt::format(",\"late\":\"{}\"", std::string(i % 40, 'x'));
    if (i % 3 == 0) jsonl += ",\"v\":1.5";
    if (i == 4321) jsonl += ",\"once\":true";
    jsonl += "}\n";
  }
  ColumnBatch batch = ColumnBatchOf(jsonl, "t", 0);
  ASSERT_EQ(batch.rows(), 5000u);
  ASSERT_GT(batch.segments().size(), 5u);
  for (size_t row = 0; row < 5000; ++row) {
    const int i = static_cast<int>(row);
    ASSERT_EQ(batch.Text(batch.slot(row, 0)), fmt::format("I{}", i % 14)) << row;
    if (i % 3 == 0) {
      ASSERT_EQ(batch.kind(row, 1), Kind::kDouble) << row;
    } else {
      ASSERT_EQ(ColumnBatch::Int(batch.slot(row, 1)), i) << row;
    }
    if (i >= 1000) {
      ASSERT_EQ(batch.Text(batch.slot(row, 2)), std::string(i % 40, 'x')) << row;
    } else {
      ASSERT_EQ(batch.kind(row, 2), Kind::kNull) << row;
    }
    ASSERT_EQ(batch.kind(row, 3), i == 4321 ? Kind::kBool : Kind::kNull) << row;
  }
  size_t rows = 0, offset = 0;
  for (const auto& segment : batch.segments()) {
    for (size_t row = 0; row < segment.rows(); ++row, ++offset)
      ASSERT_EQ(segment.offset(row), static_cast<int64_t>(offset));
    rows += segment.rows();
  }
  EXPECT_EQ(rows, 5000u);
}

TEST(ColumnBatch, KeepsRecordsWhoseKeysKeepChanging) {
  // Every record brings a key of its own (say, readings keyed by sensor): segments widen in
  // place or with room for a quarter more columns, never a copy per new key.
  std::string jsonl;
  for (int i = 0; i < 3000; ++i) jsonl += fmt::format("{{\"seq\":{},\"k{}\":{}}}\n", i, i, i * 2);
  ColumnBatch batch = ColumnBatchOf(jsonl);
  ASSERT_EQ(batch.rows(), 3000u);
  ASSERT_EQ(batch.columns().size(), 3001u);
  for (size_t row = 0; row < 3000; row += 7) {
    for (size_t column = 1; column < 3001; column += 3) {
      if (column == row + 1) {
        ASSERT_EQ(ColumnBatch::Int(batch.slot(row, column)), static_cast<int64_t>(row * 2));
      } else {
        ASSERT_EQ(batch.kind(row, column), Kind::kNull) << row << " " << column;
      }
    }
    ASSERT_EQ(ColumnBatch::Int(batch.slot(row, 0)), static_cast<int64_t>(row));
  }
  for (const auto& segment : batch.segments()) {
    EXPECT_GE(segment.stride(), segment.width());
    EXPECT_LE(segment.stride(), segment.width() + segment.width() / 4 + 1);
  }
}

// What the batch's segments allocate, by their layout.
size_t SegmentBytes(const ColumnBatch& batch, size_t* rows = nullptr) {
  size_t bytes = 0;
  for (const auto& segment : batch.segments()) {
    bytes += segment.capacity() * (segment.stride() * 9 + 16);
    if (rows) *rows += segment.capacity() - segment.rows();
  }
  return bytes;
}

TEST(ColumnBatch, AllocatesLittleMoreThanItHolds) {
  // What a batch allocates is what the sink's memory bound counts: little of it may sit unused.
  std::string jsonl;
  for (int i = 0; i < 10000; ++i) jsonl += fmt::format("{{\"v\":{},\"s\":\"abc\"}}\n", i);
  ColumnBatch batch = ColumnBatchOf(jsonl);
  size_t unused_rows = 0;
  const size_t segments = SegmentBytes(batch, &unused_rows);
  EXPECT_LE(unused_rows, 10000u / 4);
  const size_t text = 10000 * (4 + 3);
  EXPECT_GE(batch.allocated_bytes(), segments + text);
  EXPECT_LE(batch.allocated_bytes(), segments + text + text / 4 + 4096);
  const size_t used = 10000 * (2 * 9 + 16) + text;
  EXPECT_LE(batch.allocated_bytes(), used + used / 4 + 4096 + 32 * 34);

  // Mostly text, and one text longer than any chunk.
  jsonl.clear();
  const std::string text40(40, 'x'), long_text(100000, 'y');
  for (int i = 0; i < 11200; ++i)
    jsonl += fmt::format("{{\"t\":\"{}\"}}\n", i == 5000 ? long_text : text40);
  ColumnBatch texts = ColumnBatchOf(jsonl);
  EXPECT_EQ(texts.Text(texts.slot(5000, 0)), long_text);
  EXPECT_EQ(texts.Text(texts.slot(11199, 0)), text40);
  const size_t arena = 11199 * (4 + 40) + 4 + long_text.size();
  EXPECT_GE(texts.allocated_bytes(), SegmentBytes(texts) + arena);
  EXPECT_LE(texts.allocated_bytes(), SegmentBytes(texts) + arena * 5 / 4 + 4096);
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
