#include "lake/iceberg_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/file_util.h"

namespace ticklake::lake {
namespace {
using iceberg::TypeId;

std::string Line(const std::string& fields, int32_t partition, int64_t offset) {
  return fmt::format(
      "{{{},\"kafka_topic\":\"t\",\"kafka_partition\":{},\"kafka_offset\":{},"
      "\"kafka_timestamp\":1764237600000}}\n",
      fields, partition, offset);
}

class IcebergWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
  duck::Database db_;
  duck::Connection conn_{db_};
};

TEST_F(IcebergWriterTest, TypedFilesPerPartitionWithFieldIdsAndRejectsWithReasons) {
  IcebergFileWriter writer(true, dir_.path());
  std::string p0 = Line("\"Index\":\"HSI\",\"Close\":1.5,\"ts\":\"2026-11-27T10:00:00Z\"", 0, 0) +
                   Line("\"Index\":\"N225\",\"Close\":2,\"extra\":{\"a\":[1]}", 0, 1) +
                   Line("\"Index\":\"HSI\",\"Close\":\"n/a\"", 0, 2);
  std::string p1 = Line("\"index\":\"HSI\",\"Close\":3.25,\"ts\":\"2026-11-28\"", 1, 7);
  std::vector<IcebergFileWriter::Input> inputs = {{0, &p0}, {1, &p1}};
  iceberg::Schema schema = writer.PlanSchema(inputs, {}, 0);
  std::string names;
  for (const auto& f : schema.fields)
    names += fmt::format("{}:{}:{} ", f.id, f.name, iceberg::TypeName(f.type));
  EXPECT_EQ(names,
            "1:index:string 2:close:double 3:ts:timestamptz 4:kafka_topic:string "
            "5:kafka_partition:int 6:kafka_offset:long 7:kafka_timestamp:timestamptz "
            "8:extra:string ");

  iceberg::PartitionSpec spec =
      iceberg::BindPartitionSpec(iceberg::ParseIcebergPartitionBy("Index"), schema);
  IcebergFileWriter::Output out = writer.Write(inputs, schema, spec);
  ASSERT_EQ(out.rejected.size(), 1u);
  EXPECT_EQ(out.rejected[0].offset, 2);
  EXPECT_EQ(out.rejected[0].reason,
            "field 'Close' is a string but column close is double (not a type promotion Iceberg "
            "allows)");
  EXPECT_EQ(out.rejected[0].payload, "{\"Index\":\"HSI\",\"Close\":\"n/a\"}");
  EXPECT_EQ(out.records, (std::vector<int64_t>{2, 1}));
  // Files by (Kafka partition, Iceberg partition): p0/HSI, p0/N225, p1/HSI.
  ASSERT_EQ(out.files.size(), 3u);
  int64_t records = 0;
  for (const auto& file : out.files) {
    records += file.data.record_count;
    ASSERT_EQ(file.data.partition.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<std::string>(file.data.partition[0]));
  }
  EXPECT_EQ(records, 3);
  const auto& n225 = *std::find_if(out.files.begin(), out.files.end(), [](const auto& f) {
    return std::get<std::string>(f.data.partition[0]) == "N225";
  });
  auto ids = conn_.Query(fmt::format(
      "SELECT name, field_id FROM parquet_schema({}) WHERE field_id IS NOT NULL ORDER BY field_id",
      duck::QuoteLiteral(n225.local.string())));
  ASSERT_EQ(ids.RowCount(), 8u);
  EXPECT_EQ(*ids.GetString(0, 0), "index");
  EXPECT_EQ(*ids.GetString(0, 7), "extra");
  // The partition source stays in the data (hidden partitioning); nested values as JSON text.
  auto values = conn_.Query(
      fmt::format("SELECT \"index\", close, extra, kafka_partition, epoch_ms(kafka_timestamp) FROM "
                  "read_parquet({})",
                  duck::QuoteLiteral(n225.local.string())));
  EXPECT_EQ(*values.GetString(0, 0), "N225");
  EXPECT_EQ(values.GetDouble(1, 0), 2.0);
  EXPECT_EQ(*values.GetString(2, 0), "{\"a\":[1]}");
  EXPECT_EQ(values.GetInt64(3, 0), 0);
  EXPECT_EQ(values.GetInt64(4, 0), 1764237600000);
}

TEST_F(IcebergWriterTest, DateTimePartitionsAndKafkaColumnsLeftOut) {
  IcebergFileWriter writer(false, dir_.path());
  std::string p0 = Line("\"ts\":\"2026-11-27T23:59:59Z\",\"v\":1", 0, 0) +
                   Line("\"ts\":\"2026-11-28T00:00:00Z\",\"v\":2", 0, 1) + Line("\"v\":3", 0, 2);
  std::vector<IcebergFileWriter::Input> inputs = {{0, &p0}};
  iceberg::Schema schema = writer.PlanSchema(inputs, {}, 0);
  ASSERT_EQ(schema.fields.size(), 2u);  // no Kafka columns
  iceberg::PartitionSpec spec =
      iceberg::BindPartitionSpec(iceberg::ParseIcebergPartitionBy("day(ts)"), schema);
  auto out = writer.Write(inputs, schema, spec);
  EXPECT_TRUE(out.rejected.empty());
  ASSERT_EQ(out.files.size(), 3u);  // two days and the null partition
}

}  // namespace
}  // namespace ticklake::lake
