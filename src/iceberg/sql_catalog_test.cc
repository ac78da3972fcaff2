#include "iceberg/sql_catalog.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/file_util.h"

namespace ticklake::iceberg {
namespace {

TEST(IcebergSqlCatalogTest, RegisterSwapIsCompareAndSwap) {
  TempDir dir;
  std::string path = (dir.path() / "catalog.db").string();
  SqlCatalog a(path);
  SqlCatalog b(path);  // a second writer on the same file
  TableIdent t{"default", "ticks"};
  EXPECT_EQ(a.MetadataLocation(t), std::nullopt);
  EXPECT_TRUE(a.Register(t, "file:///l/ticks/metadata/00000-a.metadata.json"));
  EXPECT_FALSE(b.Register(t, "file:///l/ticks/metadata/00000-b.metadata.json"));
  EXPECT_TRUE(a.Swap(t, "file:///l/ticks/metadata/00000-a.metadata.json", "v1"));
  // b still expects the first location: its swap must lose, and change nothing.
  EXPECT_FALSE(b.Swap(t, "file:///l/ticks/metadata/00000-a.metadata.json", "v1-b"));
  EXPECT_EQ(b.MetadataLocation(t), "v1");
  EXPECT_TRUE(b.Swap(t, "v1", "v2"));
  EXPECT_EQ(a.MetadataLocation(t), "v2");
  ASSERT_EQ(a.ListTables("default").size(), 1u);
  EXPECT_EQ(a.ListNamespaces(), std::vector<std::string>{"default"});
  a.Drop(t);
  EXPECT_TRUE(a.ListTables("default").empty());
}

TEST(IcebergSqlCatalogTest, SharesTheFileWithTicklakesCatalog) {
  TempDir dir;
  auto path = dir.path() / "catalog.db";
  catalog::Catalog ours(path);
  SqlCatalog iceberg(path.string());
  EXPECT_TRUE(iceberg.Register({"default", "t"}, "loc"));
  SqlCatalog other_catalog_name(path.string(), "spark");
  EXPECT_EQ(other_catalog_name.MetadataLocation({"default", "t"}), std::nullopt);
  catalog::Catalog reopened(path);  // ticklake's own tables are untouched
  EXPECT_EQ(SqlCatalog(path.string()).MetadataLocation({"default", "t"}), "loc");
}

}  // namespace
}  // namespace ticklake::iceberg
