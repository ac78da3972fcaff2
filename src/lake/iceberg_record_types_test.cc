#include "lake/iceberg_record_types.h"

#include <gtest/gtest.h>

namespace ticklake::lake {
namespace {
using iceberg::TypeId;

// The values of one column over a batch, each a JSON text.
ColumnValues ValuesOf(const std::string& name, const std::vector<std::string>& values) {
  static simdjson::dom::parser parser;
  ColumnValues column{name};
  for (const auto& text : values) {
    simdjson::dom::element e = parser.parse(simdjson::padded_string(text)).value();
    column.Add(KindOf(e), e);
  }
  return column;
}

std::optional<TypeId> TypeOf(const std::vector<std::string>& values) {
  return NewColumnType(ValuesOf("x", values));
}

TEST(IcebergRecordTypes, NewColumnsGetTheTypeTheirValuesAgreeOn) {
  EXPECT_EQ(TypeOf({"1", "2"}), TypeId::kLong);
  EXPECT_EQ(TypeOf({"1", "2.5"}), TypeId::kDouble);
  EXPECT_EQ(TypeOf({"true", "null"}), TypeId::kBoolean);
  EXPECT_EQ(TypeOf({"\"2026-11-27\""}), TypeId::kDate);
  EXPECT_EQ(TypeOf({"\"2026-11-27\"", "\"2026-11-27T10:00:00Z\""}), TypeId::kTimestampTz);
  EXPECT_EQ(TypeOf({"\"2026-11-27\"", "\"hello\""}), TypeId::kString);
  EXPECT_EQ(TypeOf({"{\"a\":1}", "[1]"}), TypeId::kString);  // nested: JSON text
  EXPECT_EQ(TypeOf({"null", "null"}), std::nullopt);         // not added until a value comes
  // Mixed families: the first value decides; the others will not fit and are rejected.
  EXPECT_EQ(TypeOf({"1.5", "\"abc\"", "2"}), TypeId::kDouble);
  EXPECT_EQ(TypeOf({"\"abc\"", "1"}), TypeId::kString);
}

TEST(IcebergRecordTypes, EvolutionAddsColumnsWithNewIdsAndPromotesOnlyAsTheSpecAllows) {
  iceberg::Schema current;
  current.schema_id = 3;
  current.fields = {{1, "index", TypeId::kString, false, ""},
                    {2, "close", TypeId::kDouble, false, ""},
                    {3, "n", TypeId::kInt, false, ""},
                    {4, "volume", TypeId::kLong, false, ""}};
  // Nothing new: the same schema, same id.
  iceberg::Schema same = EvolveSchema(current, 4, {ValuesOf("close", {"1", "2.5"})});
  EXPECT_EQ(same.schema_id, 3);
  EXPECT_EQ(same.fields.size(), 4u);

  iceberg::Schema evolved = EvolveSchema(
      current, 7,
      {ValuesOf("n", {"5000000000"}), ValuesOf("volume", {"1.5"}), ValuesOf("venue", {"\"XHKG\""}),
       ValuesOf("empty", {"null"}), ValuesOf("kafka_partition", {"3"})});
  EXPECT_EQ(evolved.schema_id, 4);
  ASSERT_EQ(evolved.fields.size(), 6u);
  EXPECT_EQ(evolved.fields[2].type, TypeId::kLong);  // int -> long
  EXPECT_EQ(evolved.fields[3].type, TypeId::kLong);  // long never becomes double
  EXPECT_EQ(evolved.fields[4].name, "venue");
  EXPECT_EQ(evolved.fields[4].id, 8);  // above last-column-id, not just the highest field
  EXPECT_EQ(evolved.fields[5].name, "kafka_partition");
  EXPECT_EQ(evolved.fields[5].type, TypeId::kInt);  // Kafka columns have fixed types
  EXPECT_TRUE(CanReadWritten(evolved, current));
  EXPECT_FALSE(CanReadWritten(current, evolved));
}

TEST(IcebergRecordTypes, ValuesFitOnlyWithoutALossyCast) {
  simdjson::dom::parser parser;
  auto fits = [&](const std::string& text, TypeId type) {
    simdjson::dom::element e = parser.parse(simdjson::padded_string(text)).value();
    return Fits(KindOf(e), e, type);
  };
  EXPECT_TRUE(fits("3", TypeId::kDouble));  // a JSON integer in a double column is fine
  EXPECT_FALSE(fits("3.5", TypeId::kLong));
  EXPECT_FALSE(fits("\"3.5\"", TypeId::kDouble));
  EXPECT_FALSE(fits("3000000000", TypeId::kInt));
  EXPECT_TRUE(fits("3000000000", TypeId::kLong));
  EXPECT_TRUE(fits("\"2026-11-27\"", TypeId::kTimestampTz));
  EXPECT_FALSE(fits("\"2026-11-27T10:00:00Z\"", TypeId::kDate));
  EXPECT_TRUE(fits("{\"a\":[1]}", TypeId::kString));
  EXPECT_FALSE(fits("12", TypeId::kString));
  EXPECT_FALSE(fits("true", TypeId::kLong));
  EXPECT_EQ(FitReason("Close", JsonKind::kString, {2, "close", TypeId::kDouble, false, ""}),
            "field 'Close' is a string but column close is double (not a type promotion Iceberg "
            "allows)");
}

TEST(IcebergRecordTypes, TableNamesAreLowerCaseIdentifiers) {
  EXPECT_EQ(IcebergTableName("stock_market"), "stock_market");
  EXPECT_EQ(IcebergTableName("Ticks.EU-west"), "ticks_eu_west");
}

}  // namespace
}  // namespace ticklake::lake
