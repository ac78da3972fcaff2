#include "catalog/iceberg_roots.h"

#include <gtest/gtest.h>

namespace ticklake::catalog {
namespace {

TEST(IcebergRoots, FoldersWithMetadataJson) {
  std::vector<ObjectInfo> objects;
  for (const char* key :
       {"stock_market/metadata/00001-a.metadata.json", "stock_market/metadata/snap-1.avro",
        "stock_market/data/index=HSI/x.parquet", "hive/index=HSI/part-0.parquet",
        "ns.db/t/metadata/v2.metadata.json", "other/metadata.json",
        "x/notmetadata/a.metadata.json"}) {
    ObjectInfo o;
    o.key = key;
    objects.push_back(o);
  }
  EXPECT_EQ(IcebergTableRoots(objects), (std::vector<std::string>{"ns.db/t/", "stock_market/"}));
}

}  // namespace
}  // namespace ticklake::catalog
