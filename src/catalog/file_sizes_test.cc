#include "catalog/file_sizes.h"

#include <gtest/gtest.h>

namespace ticklake::catalog {
namespace {

TableInfo Table(int64_t files, int64_t bytes) {
  TableInfo t;
  t.file_count = files;
  t.size_bytes = bytes;
  return t;
}

TEST(FileSizes, AverageAndHumanBytes) {
  EXPECT_EQ(AverageFileBytes(Table(0, 0)), 0);
  EXPECT_EQ(AverageFileBytes(Table(4, 4096)), 1024);
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(10445), "10.4 KB");
  EXPECT_EQ(HumanBytes(3 << 20), "3.1 MB");
}

TEST(FileSizes, WarnsAboutManyTinyFilesOnly) {
  EXPECT_EQ(SmallFileWarning(Table(623, 623 * 10445)).rfind("623 files of 10.4 KB on average", 0),
            0u);
  EXPECT_EQ(SmallFileWarning(Table(5, 5 * 100)), "");              // a few small files are fine
  EXPECT_EQ(SmallFileWarning(Table(1000, 1000 * (2 << 20))), "");  // 2 MiB files
}

}  // namespace
}  // namespace ticklake::catalog
