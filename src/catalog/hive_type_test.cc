#include "catalog/hive_type.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::catalog {

TEST(HiveType, WidensNumbersUpTheLattice) {
  EXPECT_EQ(WidenTypes("int", "int"), "int");
  EXPECT_EQ(WidenTypes("int", "bigint"), "bigint");
  EXPECT_EQ(WidenTypes("bigint", "int"), "bigint");
  EXPECT_EQ(WidenTypes("tinyint", "smallint"), "smallint");
  EXPECT_EQ(WidenTypes("bigint", "double"), "double");
  EXPECT_EQ(WidenTypes("float", "int"), "double");
  EXPECT_EQ(WidenTypes("decimal(10,2)", "decimal(12,3)"), "double");
}

TEST(HiveType, WidensDatesAndFallsBackToString) {
  EXPECT_EQ(WidenTypes("date", "timestamp"), "timestamp");
  EXPECT_EQ(WidenTypes("date", "string"), "string");
  EXPECT_EQ(WidenTypes("int", "string"), "string");
  EXPECT_EQ(WidenTypes("boolean", "int"), "string");
  EXPECT_EQ(WidenTypes("date", "int"), "string");
  EXPECT_EQ(WidenTypes("array<int>", "int"), "string");
}

TEST(HiveType, NullTakesTheOtherType) {
  HiveType null = HiveType::Of(HiveType::Kind::kNull);
  EXPECT_EQ(Widen(null, HiveType::Of(HiveType::Kind::kDate)).ToHive(), "date");
  EXPECT_EQ(Widen(null, null).ToHive(), "void");
  EXPECT_EQ(WidenTypes("void", "double"), "double");
  EXPECT_EQ(Finished(Widen(null, null)).ToHive(), "string");
  EXPECT_EQ(Finished(ParseHiveType("struct<a:void,b:array<void>>")).ToHive(),
            "struct<a:string,b:array<string>>");
}

TEST(HiveType, WidensNestedTypesFieldByField) {
  EXPECT_EQ(WidenTypes("struct<a:int,b:string>", "struct<a:bigint,c:date>"),
            "struct<a:bigint,b:string,c:date>");
  EXPECT_EQ(WidenTypes("array<int>", "array<double>"), "array<double>");
  EXPECT_EQ(WidenTypes("array<struct<x:int>>", "array<struct<y:string>>"),
            "array<struct<x:int,y:string>>");
}

TEST(HiveType, WideningIsCommutative) {
  const char* types[] = {"int",       "bigint",  "double",     "string",       "date",
                         "timestamp", "boolean", "array<int>", "struct<a:int>"};
  for (const char* a : types) {
    for (const char* b : types) EXPECT_EQ(WidenTypes(a, b), WidenTypes(b, a)) << a << " " << b;
  }
}

TEST(HiveType, ParsesAndPrintsHiveAndDuckDBTypes) {
  HiveType t = ParseHiveType("struct<name:string,tags:array<string>,m:map<string,bigint>>");
  EXPECT_EQ(t.ToHive(), "struct<name:string,tags:array<string>,m:map<string,bigint>>");
  EXPECT_EQ(t.ToDuckDB(),
            "STRUCT(\"name\" VARCHAR, \"tags\" VARCHAR[], \"m\" MAP(VARCHAR, BIGINT))");
  EXPECT_THROW(ParseHiveType("nonsense"), Error);
}

TEST(HiveType, ConvertsDuckDBTypes) {
  EXPECT_EQ(FromDuckDBType("BIGINT").ToHive(), "bigint");
  EXPECT_EQ(FromDuckDBType("INTEGER").ToHive(), "int");
  EXPECT_EQ(FromDuckDBType("VARCHAR").ToHive(), "string");
  EXPECT_EQ(FromDuckDBType("TIMESTAMP WITH TIME ZONE").ToHive(), "timestamp");
  EXPECT_EQ(FromDuckDBType("DECIMAL(18,3)").ToHive(), "decimal(18,3)");
  EXPECT_EQ(FromDuckDBType("STRUCT(a BIGINT, \"b c\" VARCHAR[])").ToHive(),
            "struct<a:bigint,b c:array<string>>");
  EXPECT_EQ(FromDuckDBType("MAP(VARCHAR, INTEGER)").ToHive(), "map<string,int>");
  EXPECT_EQ(FromDuckDBType("TIME").ToHive(), "string");
  EXPECT_EQ(FromDuckDBType("ENUM('a', 'b')").ToHive(), "string");
}

TEST(HiveType, RecognisesIsoDatesAndTimestamps) {
  EXPECT_TRUE(LooksLikeDate("2024-02-29"));
  EXPECT_FALSE(LooksLikeDate("2024-13-01"));
  EXPECT_FALSE(LooksLikeDate("20240101"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-01-02T03:04:05Z"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-01-02 03:04:05.123456"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-01-02T03:04:05+01:00"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-01-02"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-01-02T03:04:05 nonsense"));
}

}  // namespace ticklake::catalog
