#include "iceberg/parquet_files.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake::iceberg {
namespace {

Schema AllTypes() {
  Schema s;
  int32_t id = 10;
  for (auto [name, type] :
       std::vector<std::pair<std::string, TypeId>>{{"b", TypeId::kBoolean},
                                                   {"i", TypeId::kInt},
                                                   {"l", TypeId::kLong},
                                                   {"f", TypeId::kFloat},
                                                   {"d", TypeId::kDouble},
                                                   {"day", TypeId::kDate},
                                                   {"ts", TypeId::kTimestamp},
                                                   {"tstz", TypeId::kTimestampTz},
                                                   {"Adj Close", TypeId::kString},
                                                   {"bin", TypeId::kBinary}}) {
    s.fields.push_back(NestedField{id++, name, type, false, ""});
  }
  return s;
}

TEST(IcebergParquetTest, WritesFieldIdsAndReadsStatisticsFromTheFooter) {
  TempDir dir;
  duck::Database db;
  duck::Connection conn(db);
  conn.Query("SET TimeZone = 'Asia/Tokyo'");  // bounds must not depend on the session zone
  Schema schema = AllTypes();
  auto file = dir.path() / "x.parquet";
  DataFile f = WriteParquet(conn,
                            "SELECT * FROM (VALUES "
                            "(true, 1, 10::BIGINT, 1.5::FLOAT, -2.5, DATE '1969-12-31', "
                            " TIMESTAMP '2026-01-01 00:00:00.000001', "
                            " TIMESTAMPTZ '2026-01-01 00:00:00+00', 'HSI', '\\x01'::BLOB), "
                            "(false, -4, NULL, 0.5::FLOAT, 7.25, DATE '2026-11-27', "
                            " TIMESTAMP '1970-01-01 00:00:00', "
                            " TIMESTAMPTZ '2026-01-02 00:00:00+00', 'N225', '\\x02'::BLOB)) "
                            "t(b, i, l, f, d, day, ts, tstz, \"Adj Close\", bin)",
                            schema, file);
  EXPECT_EQ(f.record_count, 2);
  EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(file)));
  EXPECT_EQ(f.value_counts.at(12), 2);
  EXPECT_EQ(f.null_value_counts.at(12), 1);
  EXPECT_EQ(f.null_value_counts.at(11), 0);
  EXPECT_GT(f.column_sizes.at(18), 0);
  auto bound = [&](int32_t id, bool upper) {
    const auto& bounds = upper ? f.upper_bounds : f.lower_bounds;
    return DeserializeBound(schema.FindById(id)->type, bounds.at(id));
  };
  EXPECT_EQ(bound(10, false), Literal(false));
  EXPECT_EQ(bound(11, false), Literal(int32_t{-4}));
  EXPECT_EQ(bound(11, true), Literal(int32_t{1}));
  EXPECT_EQ(bound(12, true), Literal(int64_t{10}));
  EXPECT_EQ(bound(13, true), Literal(1.5f));
  EXPECT_EQ(bound(14, false), Literal(-2.5));
  EXPECT_EQ(bound(15, false), Literal(int32_t{-1}));
  EXPECT_EQ(bound(16, false), Literal(int64_t{0}));
  EXPECT_EQ(bound(16, true), Literal(int64_t{1'767'225'600'000'001}));
  EXPECT_EQ(bound(17, false), Literal(int64_t{1'767'225'600'000'000}));
  EXPECT_EQ(bound(17, true), Literal(int64_t{1'767'312'000'000'000}));
  EXPECT_EQ(bound(18, false), Literal(std::string("HSI")));
  EXPECT_EQ(bound(18, true), Literal(std::string("N225")));
  EXPECT_FALSE(f.split_offsets.empty());

  // Iceberg readers match columns by these ids; the timestamp with zone is adjusted to UTC.
  duck::Result ids = conn.Query(fmt::format(
      "SELECT name, field_id, logical_type::VARCHAR FROM parquet_schema('{}') WHERE name IN "
      "('Adj Close', 'tstz') ORDER BY name",
      file.string()));
  ASSERT_EQ(ids.RowCount(), 2u);
  EXPECT_EQ(ids.GetInt64(1, 0), 18);
  EXPECT_EQ(ids.GetInt64(1, 1), 17);
  EXPECT_NE(ids.GetString(2, 1).value_or("").find("isAdjustedToUTC=1"), std::string::npos)
      << ids.GetString(2, 1).value_or("");
}

TEST(IcebergParquetTest, ColumnsOutsideTheSchemaAndNonParquetAreErrors) {
  TempDir dir;
  duck::Database db;
  duck::Connection conn(db);
  Schema schema = AllTypes();
  EXPECT_THROW(WriteParquet(conn, "SELECT 1 AS nope", schema, dir.path() / "a.parquet"), Error);
  WriteFileAtomically(dir.path() / "b.parquet", "not parquet at all");
  try {
    DescribeParquet(conn, dir.path() / "b.parquet", schema);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("b.parquet"), std::string::npos) << e.what();
  }
  EXPECT_EQ(FieldIdsOption(schema, {"i", "Adj Close", "unknown"}),
            "FIELD_IDS {'i': 11, 'Adj Close': 18}");
}

}  // namespace
}  // namespace ticklake::iceberg
