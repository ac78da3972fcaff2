#include "iceberg/compaction.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/file_util.h"
#include "iceberg/parquet_files.h"
#include "store/memory_store.h"

namespace ticklake::iceberg {
namespace {

class IcebergCompactionTest : public ::testing::Test {
 protected:
  IcebergCompactionTest() : catalog_((dir_.path() / "catalog.db").string()), conn_(db_) {
    CreateTableOptions o;
    o.schema.fields = {NestedField{1, "index", TypeId::kString, false, ""},
                       NestedField{2, "price", TypeId::kDouble, false, ""}};
    o.partition_by = ParseIcebergPartitionBy("index");
    table_.emplace(Table::Create(catalog_, lake_, {"default", "t"}, "t", o));
  }

  // Appends one small file of `rows` rows priced 1..rows in partition `index`.
  void AppendFile(const std::string& index, int rows, const Schema& schema) {
    auto local = dir_.path() / fmt::format("in{}.parquet", ++n_);
    std::string extra = schema.fields.size() > 2 ? ", 7::BIGINT AS volume" : "";
    DataFile f =
        WriteParquet(conn_,
                     fmt::format("SELECT {} AS index, i::DOUBLE AS price{} FROM range(1, {}) r(i)",
                                 duck::QuoteLiteral(index), extra, rows + 1),
                     schema, local);
    f.partition = {index};
    std::string key = table_->NewDataFileKey(f.partition, fmt::format("in{}", n_));
    lake_.PutFile(key, local);
    f.location = table_->LocationOf(key);
    AppendRequest request{{f}, {}, {}, {}};
    if (schema.fields.size() != table_->metadata().CurrentSchema().fields.size())
      request.new_schema = schema;
    table_->Append(request);
  }

  // Sum and count of price over the table's current files, read back with DuckDB.
  std::pair<double, int64_t> Totals() {
    double sum = 0;
    int64_t count = 0;
    for (const auto& f : table_->Plan().files) {
      auto local = dir_.path() / "check.parquet";
      lake_.GetToFile(table_->KeyOf(f.location), local);
      duck::Result r =
          conn_.Query(fmt::format("SELECT sum(price), count(*) FROM '{}'", local.string()));
      sum += r.GetDouble(0, 0);
      count += r.GetInt64(1, 0);
    }
    return {sum, count};
  }

  TempDir dir_;
  MemoryStore lake_;
  SqlCatalog catalog_;
  duck::Database db_;
  duck::Connection conn_;
  std::optional<Table> table_;
  int n_ = 0;
};

TEST_F(IcebergCompactionTest, MergesSmallFilesPerPartitionInOneSnapshot) {
  Schema schema = table_->metadata().CurrentSchema();
  for (int i = 0; i < 3; ++i) AppendFile("HSI", 10, schema);
  AppendFile("N225", 5, schema);  // alone in its partition: left as it is
  Schema wider = schema;
  wider.fields.push_back(NestedField{3, "volume", TypeId::kLong, false, ""});
  AppendFile("HSI", 4, wider);  // written after a schema change
  auto before = Totals();
  size_t snapshots = table_->metadata().snapshots.size();

  CompactResult r = Compact(*table_, {});
  ASSERT_TRUE(r.snapshot_id);
  EXPECT_EQ(r.partitions_rewritten, 1);
  EXPECT_EQ(r.files_removed, 4);
  EXPECT_EQ(r.files_added, 1);
  EXPECT_EQ(r.records, 34);
  EXPECT_EQ(table_->metadata().snapshots.size(), snapshots + 1);
  EXPECT_EQ(table_->metadata().CurrentSnapshot()->Operation(), "replace");
  EXPECT_EQ(table_->Plan().files.size(), 2u);
  EXPECT_EQ(Totals(), before);
  // The new file has the current schema: old rows read volume as NULL.
  for (const auto& f : table_->Plan().files) {
    if (f.partition[0] != Literal(std::string("HSI"))) continue;
    EXPECT_EQ(f.null_value_counts.at(3), 30);
    EXPECT_TRUE(f.location.starts_with("memory://t/data/index=HSI/compacted-"));
  }
  // Nothing left to merge.
  EXPECT_FALSE(Compact(*table_, {}).snapshot_id);
}

TEST_F(IcebergCompactionTest, LargeFilesAndTargetBoundsAreRespected) {
  Schema schema = table_->metadata().CurrentSchema();
  for (int i = 0; i < 4; ++i) AppendFile("HSI", 10, schema);
  int64_t size = table_->Plan().files[0].file_size_in_bytes;
  CompactOptions small_files_only;
  small_files_only.min_file_size = size;  // every file counts as large
  EXPECT_FALSE(Compact(*table_, small_files_only).snapshot_id);
  CompactOptions pairs;
  pairs.target_file_size = size * 2;  // two inputs per output
  CompactResult r = Compact(*table_, pairs);
  EXPECT_EQ(r.files_removed, 4);
  EXPECT_EQ(r.files_added, 2);
  EXPECT_EQ(Totals().second, 40);
}

TEST_F(IcebergCompactionTest, CompactAndExpireWhileAnotherWriterAppends) {
  Schema schema = table_->metadata().CurrentSchema();
  for (int i = 0; i < 4; ++i) AppendFile("HSI", 10, schema);
  // Files for the appender are written up front: the thread only commits.
  std::vector<DataFile> pending;
  for (int i = 0; i < 12; ++i) {
    auto local = dir_.path() / fmt::format("pending{}.parquet", i);
    DataFile f = WriteParquet(conn_, "SELECT 'HSI' AS index, 1.0::DOUBLE AS price FROM range(5)",
                              schema, local);
    f.partition = {std::string("HSI")};
    std::string key = table_->NewDataFileKey(f.partition, fmt::format("pending{}", i));
    lake_.PutFile(key, local);
    f.location = table_->LocationOf(key);
    pending.push_back(f);
  }
  std::thread appender([&] {
    SqlCatalog catalog(catalog_.path());
    Table t = *Table::Load(catalog, lake_, {"default", "t"});
    for (const auto& f : pending) t.Append({{f}, {}, {}, {}});
  });
  int compactions = 0;
  for (int round = 0; round < 4; ++round) {
    try {
      if (Compact(*table_, {}).snapshot_id) ++compactions;
    } catch (const CommitConflict&) {
      // Another compaction's inputs vanished: nothing was committed, nothing is lost.
    }
    table_->Expire(INT64_MAX, 1, std::nullopt);
  }
  appender.join();
  table_->Refresh();
  EXPECT_GT(compactions, 0);
  // Every appended row is there exactly once, and every live file exists.
  EXPECT_EQ(Totals().second, 4 * 10 + 12 * 5);
  for (const auto& f : table_->Plan().files) {
    EXPECT_TRUE(lake_.Head(table_->KeyOf(f.location))) << f.location;
  }
}

}  // namespace
}  // namespace ticklake::iceberg
