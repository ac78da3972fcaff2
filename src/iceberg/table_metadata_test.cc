#include "iceberg/table_metadata.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

NestedField F(int32_t id, std::string name, TypeId type, bool required = false,
              std::string doc = "") {
  return NestedField{id, std::move(name), type, required, std::move(doc)};
}

TableMetadata Sample() {
  TableMetadata m;
  m.table_uuid = "9c12d441-03fe-4693-9a96-a0705ddf69c1";
  m.location = "s3://bucket/lake/stock_market";
  m.last_sequence_number = 2;
  m.last_updated_ms = 1700000000123;
  m.last_column_id = 3;
  m.schemas = {{0, {F(1, "index", TypeId::kString, true), F(2, "ts", TypeId::kTimestampTz)}},
               {1,
                {F(1, "index", TypeId::kString, true), F(2, "ts", TypeId::kTimestampTz),
                 F(3, "volume", TypeId::kLong, false, "shares \"traded\"")}}};
  m.current_schema_id = 1;
  m.partition_specs = {{0, {{2, 1000, "ts_day", Transform::kDay}}}};
  m.last_partition_id = 1000;
  m.properties = {{"write.format.default", "parquet"}};
  m.snapshots = {{11,
                  std::nullopt,
                  1,
                  1700000000000,
                  "s3://bucket/lake/stock_market/metadata/a.avro",
                  {{"operation", "append"}, {"added-records", "5"}},
                  0},
                 {22,
                  11,
                  2,
                  1700000000100,
                  "s3://bucket/lake/stock_market/metadata/b.avro",
                  {{"operation", "replace"}},
                  1}};
  m.current_snapshot_id = 22;
  m.snapshot_log = {{1700000000000, 11}, {1700000000100, 22}};
  m.metadata_log = {
      {1700000000000, "s3://bucket/lake/stock_market/metadata/00001-x.metadata.json"}};
  m.sort_orders = {{0, {}}, {1, {{2, Transform::kIdentity, false, false}}}};
  m.default_sort_order_id = 1;
  return m;
}

TEST(IcebergMetadataTest, RoundTripsEveryField) {
  TableMetadata m = Sample();
  std::string json = SerializeTableMetadata(m);
  TableMetadata back = ParseTableMetadata(json, "v3.metadata.json");
  EXPECT_EQ(SerializeTableMetadata(back), json);
  EXPECT_EQ(back.CurrentSchema().fields.at(2).doc, "shares \"traded\"");
  EXPECT_TRUE(back.CurrentSchema().fields.at(0).required);
  EXPECT_EQ(back.DefaultSpec().fields.at(0).transform, Transform::kDay);
  EXPECT_EQ(back.CurrentSnapshot()->Operation(), "replace");
  EXPECT_EQ(back.CurrentSnapshot()->parent_snapshot_id, 11);
  EXPECT_EQ(back.sort_orders.at(1).fields.at(0).ascending, false);
  EXPECT_NE(json.find("\"refs\":{\"main\":{\"snapshot-id\":22,\"type\":\"branch\"}}"),
            std::string::npos);
}

TEST(IcebergMetadataTest, SnapshotAsOfFollowsTheLog) {
  TableMetadata m = Sample();
  EXPECT_EQ(m.SnapshotAsOf(1699999999999), nullptr);
  EXPECT_EQ(m.SnapshotAsOf(1700000000000)->snapshot_id, 11);
  EXPECT_EQ(m.SnapshotAsOf(1700000000099)->snapshot_id, 11);
  EXPECT_EQ(m.SnapshotAsOf(1800000000000)->snapshot_id, 22);
}

TEST(IcebergMetadataTest, BadDocumentsNameTheFile) {
  auto message = [](std::string_view json) {
    try {
      ParseTableMetadata(json, "s3://b/t/metadata/00007-x.metadata.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{not json").find("00007-x.metadata.json: not valid JSON"), std::string::npos);
  EXPECT_NE(message("[]").find("not an object"), std::string::npos);
  std::string json = SerializeTableMetadata(Sample());
  std::string no_location = json;
  no_location.replace(no_location.find("\"location\""), 10, "\"elsewhere\"");
  EXPECT_NE(message(no_location).find("missing \"location\""), std::string::npos);
  std::string bad_current = json;
  bad_current.replace(bad_current.find("\"current-snapshot-id\":22"), 24,
                      "\"current-snapshot-id\":99");
  EXPECT_NE(message(bad_current).find("names no snapshot"), std::string::npos);
  std::string bad_type = json;
  bad_type.replace(bad_type.find("\"long\""), 6, "\"uuid\"");
  EXPECT_NE(message(bad_type).find("unsupported type 'uuid'"), std::string::npos);
}

}  // namespace
}  // namespace ticklake::iceberg
