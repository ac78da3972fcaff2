#include "iceberg/partitioning.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

NestedField F(int32_t id, std::string name, TypeId type, bool required = false,
              std::string doc = "") {
  return NestedField{id, std::move(name), type, required, std::move(doc)};
}

constexpr int64_t kHourUs = 3'600'000'000LL;

TEST(IcebergTransformTest, TimeTransformsCountFrom1970) {
  int64_t ts = 1'764'254'730'000'000;  // 2025-11-27T14:45:30Z
  EXPECT_EQ(ApplyTransform(Transform::kYear, TypeId::kTimestampTz, ts), Literal(int32_t{55}));
  EXPECT_EQ(ApplyTransform(Transform::kMonth, TypeId::kTimestampTz, ts),
            Literal(int32_t{55 * 12 + 10}));
  EXPECT_EQ(ApplyTransform(Transform::kDay, TypeId::kTimestampTz, ts), Literal(int32_t{20419}));
  EXPECT_EQ(ApplyTransform(Transform::kHour, TypeId::kTimestampTz, ts),
            Literal(int32_t{20419 * 24 + 14}));
  EXPECT_EQ(ApplyTransform(Transform::kDay, TypeId::kDate, int32_t{20419}),
            Literal(int32_t{20419}));
  EXPECT_EQ(ApplyTransform(Transform::kMonth, TypeId::kDate, int32_t{31}), Literal(int32_t{1}));
  EXPECT_EQ(ApplyTransform(Transform::kIdentity, TypeId::kString, std::string("HSI")),
            Literal(std::string("HSI")));
  EXPECT_EQ(ApplyTransform(Transform::kDay, TypeId::kTimestamp, std::monostate{}),
            Literal(std::monostate{}));
}

TEST(IcebergTransformTest, BeforeEpochRoundsDown) {
  // 1969-12-31T23:00:00Z: hour -1, day -1, month -1 (1969-12), year -1.
  Literal ts = int64_t{-kHourUs};
  EXPECT_EQ(ApplyTransform(Transform::kHour, TypeId::kTimestamp, ts), Literal(int32_t{-1}));
  EXPECT_EQ(ApplyTransform(Transform::kDay, TypeId::kTimestamp, ts), Literal(int32_t{-1}));
  EXPECT_EQ(ApplyTransform(Transform::kMonth, TypeId::kTimestamp, ts), Literal(int32_t{-1}));
  EXPECT_EQ(ApplyTransform(Transform::kYear, TypeId::kTimestamp, ts), Literal(int32_t{-1}));
  // 1969-01-01 is day -365, month -12, year -1; 1968-12-31 is year -2.
  EXPECT_EQ(ApplyTransform(Transform::kMonth, TypeId::kDate, int32_t{-365}), Literal(int32_t{-12}));
  EXPECT_EQ(ApplyTransform(Transform::kYear, TypeId::kDate, int32_t{-366}), Literal(int32_t{-2}));
  EXPECT_THROW(ApplyTransform(Transform::kHour, TypeId::kDate, int32_t{1}), Error);
  EXPECT_THROW(ApplyTransform(Transform::kDay, TypeId::kString, std::string("x")), Error);
}

TEST(IcebergPartitionTest, ParsesBindsAndNamesPaths) {
  auto requests = ParseIcebergPartitionBy("Index, day(ts),h=hour(ts)");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].transform, Transform::kDay);
  EXPECT_EQ(requests[2].name, "h");
  Schema schema{0, {F(1, "index", TypeId::kString), F(2, "ts", TypeId::kTimestampTz)}};
  PartitionSpec spec = BindPartitionSpec(requests, schema);
  ASSERT_EQ(spec.fields.size(), 3u);
  EXPECT_EQ(spec.fields[0].name, "index");
  EXPECT_EQ(spec.fields[0].field_id, 1000);
  EXPECT_EQ(spec.fields[1].name, "ts_day");
  EXPECT_EQ(spec.fields[1].source_id, 2);
  EXPECT_EQ(spec.fields[2].field_id, 1002);
  EXPECT_EQ(TransformResultType(Transform::kDay, TypeId::kTimestampTz), TypeId::kDate);
  EXPECT_EQ(TransformResultType(Transform::kHour, TypeId::kTimestampTz), TypeId::kInt);
  EXPECT_EQ(PartitionPath(spec, schema, {std::string("A B/C"), int32_t{20419}, int32_t{-1}}),
            "index=A B%2FC/ts_day=2025-11-27/h=1969-12-31-23");
  EXPECT_EQ(PartitionPath(spec, schema, {std::monostate{}, int32_t{0}, int32_t{0}}),
            "index=null/ts_day=1970-01-01/h=1970-01-01-00");
}

TEST(IcebergPartitionTest, BadSpecsNameTheItem) {
  Schema schema{0, {F(1, "index", TypeId::kString), F(2, "ts", TypeId::kTimestampTz)}};
  auto message = [&](const std::string& text) {
    try {
      BindPartitionSpec(ParseIcebergPartitionBy(text), schema);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("week(ts)").find("week(ts)"), std::string::npos);
  EXPECT_NE(message("day(index)").find("not a date or timestamp"), std::string::npos);
  EXPECT_NE(message("missing").find("'missing'"), std::string::npos);
  EXPECT_NE(message("day(ts").find("day(ts"), std::string::npos);
  EXPECT_NE(message("index,,ts").find("empty item"), std::string::npos);
  EXPECT_TRUE(ParseIcebergPartitionBy("").empty());
}

}  // namespace
}  // namespace ticklake::iceberg
