#include "query/iceberg_views.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/error.h"
#include "query/iceberg_tables.h"

namespace ticklake::query {
namespace {

iceberg::NestedField Field(int32_t id, const char* name, iceberg::TypeId type) {
  iceberg::NestedField f;
  f.id = id;
  f.name = name;
  f.type = type;
  return f;
}

TEST(IcebergViews, ViewSqlMapsFieldIdsToNamesAndTypes) {
  iceberg::Schema s;
  s.fields = {Field(1, "index", iceberg::TypeId::kString),
              Field(5, "Adj Close", iceberg::TypeId::kDouble)};
  EXPECT_EQ(IcebergViewSql(s, "getvariable('v')", false),
            "SELECT \"index\", \"Adj Close\" FROM read_parquet(getvariable('v'), schema = MAP "
            "{1: {name: 'index', type: 'VARCHAR', default_value: NULL}, 5: {name: 'Adj Close', "
            "type: 'DOUBLE', default_value: NULL}})");
  EXPECT_EQ(IcebergViewSql(s, "", true),
            "SELECT CAST(NULL AS VARCHAR) AS \"index\", CAST(NULL AS DOUBLE) AS \"Adj Close\" "
            "WHERE false");
}

TEST(IcebergViews, ViewsReadFilesByFieldIdWithDuckDb) {
  duck::Database db;
  duck::Connection conn(db);
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("ticklake-iceberg-views-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string a = (dir / "a.parquet").string(), b = (dir / "b.parquet").string();
  // The old file has no field 5 and an int where the schema now says long; the new one calls
  // field 1 by another name.
  conn.Query("COPY (SELECT 'HSI' AS idx, 1::INTEGER AS n) TO " + duck::QuoteLiteral(a) +
             " (FORMAT parquet, FIELD_IDS {idx: 1, n: 2})");
  conn.Query("COPY (SELECT 'NYA' AS old_name, 2::BIGINT AS n, 9.5::DOUBLE AS usd) TO " +
             duck::QuoteLiteral(b) + " (FORMAT parquet, FIELD_IDS {old_name: 1, n: 2, usd: 5})");
  iceberg::Schema s;
  s.fields = {Field(1, "index", iceberg::TypeId::kString), Field(2, "n", iceberg::TypeId::kLong),
              Field(5, "usd", iceberg::TypeId::kDouble)};
  conn.Query(
      "CREATE VIEW v AS " +
      IcebergViewSql(s, "[" + duck::QuoteLiteral(a) + ", " + duck::QuoteLiteral(b) + "]", false));
  duck::Result r = conn.Query("SELECT \"index\", n, usd FROM v ORDER BY n");
  ASSERT_EQ(r.RowCount(), 2u);
  EXPECT_EQ(r.GetString(0, 0), "HSI");
  EXPECT_EQ(r.GetString(2, 0), std::nullopt);
  EXPECT_EQ(r.GetString(0, 1), "NYA");
  EXPECT_EQ(r.GetString(2, 1), "9.5");
  std::filesystem::remove_all(dir);
}

TEST(IcebergTables, LakeOfAMetadataLocation) {
  EXPECT_EQ(IcebergLakeUri("file:///d/lake/t/metadata/00003-x.metadata.json"), "/d/lake");
  EXPECT_EQ(IcebergLakeUri("/d/lake/t/metadata/v1.metadata.json"), "/d/lake");
  EXPECT_EQ(IcebergLakeUri("s3://b/lake/t/metadata/v1.metadata.json"), "s3://b/lake");
  EXPECT_EQ(IcebergLakeUri("s3://b/t/metadata/v1.metadata.json"), "s3://b");
  EXPECT_THROW(IcebergLakeUri("s3://b/t/v1.metadata.json"), Error);
}

}  // namespace
}  // namespace ticklake::query
