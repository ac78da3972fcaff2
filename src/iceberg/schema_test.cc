#include "iceberg/schema.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

NestedField F(int32_t id, std::string name, TypeId type, bool required = false,
              std::string doc = "") {
  return NestedField{id, std::move(name), type, required, std::move(doc)};
}

std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

// Spec Appendix D: single-value serialization.
TEST(IcebergBoundTest, SerializesEachTypeAsTheSpecSays) {
  EXPECT_EQ(Hex(SerializeBound(TypeId::kBoolean, true)), "01");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kBoolean, false)), "00");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kInt, int32_t{1})), "01000000");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kInt, int32_t{-2})), "feffffff");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kLong, int64_t{258})), "0201000000000000");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kFloat, 1.0f)), "0000803f");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kDouble, 1.0)), "000000000000f03f");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kDate, int32_t{-1})), "ffffffff");
  EXPECT_EQ(Hex(SerializeBound(TypeId::kTimestampTz, int64_t{1})), "0100000000000000");
  EXPECT_EQ(SerializeBound(TypeId::kString, std::string("HSI")), "HSI");
  EXPECT_EQ(SerializeBound(TypeId::kBinary, std::string("\0\1", 2)), std::string("\0\1", 2));
}

TEST(IcebergBoundTest, RoundTripsAndReadsPromotedBounds) {
  for (auto [type, value] :
       std::vector<std::pair<TypeId, Literal>>{{TypeId::kBoolean, true},
                                               {TypeId::kInt, int32_t{-7}},
                                               {TypeId::kLong, int64_t{1} << 40},
                                               {TypeId::kFloat, 2.5f},
                                               {TypeId::kDouble, -0.125},
                                               {TypeId::kTimestamp, int64_t{-1'000'000}},
                                               {TypeId::kString, std::string("ü")}}) {
    EXPECT_EQ(DeserializeBound(type, SerializeBound(type, value)), value) << TypeName(type);
  }
  // A bound written as int (4 bytes) is read as long after int -> long; float -> double too.
  EXPECT_EQ(DeserializeBound(TypeId::kLong, SerializeBound(TypeId::kInt, int32_t{-3})),
            Literal(int64_t{-3}));
  EXPECT_EQ(DeserializeBound(TypeId::kDouble, SerializeBound(TypeId::kFloat, 0.5f)), Literal(0.5));
}

TEST(IcebergBoundTest, RefusesMismatchedLiteralsAndSizes) {
  EXPECT_THROW(SerializeBound(TypeId::kInt, std::string("x")), Error);
  EXPECT_THROW(SerializeBound(TypeId::kString, int32_t{1}), Error);
  EXPECT_THROW(DeserializeBound(TypeId::kInt, "abc"), Error);
  EXPECT_THROW(DeserializeBound(TypeId::kDouble, "abc"), Error);
}

TEST(IcebergSchemaTest, NamesPromotionsAndLookups) {
  EXPECT_EQ(ParseTypeName("timestamptz"), TypeId::kTimestampTz);
  EXPECT_EQ(ParseTypeName("decimal(9,2)"), std::nullopt);
  EXPECT_TRUE(CanPromote(TypeId::kInt, TypeId::kLong));
  EXPECT_TRUE(CanPromote(TypeId::kFloat, TypeId::kDouble));
  EXPECT_FALSE(CanPromote(TypeId::kLong, TypeId::kInt));
  EXPECT_FALSE(CanPromote(TypeId::kString, TypeId::kLong));
  Schema schema{0, {F(1, "index", TypeId::kString), F(5, "close", TypeId::kDouble)}};
  EXPECT_EQ(schema.FindByName("Close")->id, 5);
  EXPECT_EQ(schema.FindById(1)->name, "index");
  EXPECT_EQ(schema.FindById(2), nullptr);
  EXPECT_EQ(schema.HighestFieldId(), 5);
}

}  // namespace
}  // namespace ticklake::iceberg
