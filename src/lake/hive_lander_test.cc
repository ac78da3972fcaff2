#include "lake/hive_lander.h"

#include <gtest/gtest.h>

#include "common/duckdb.h"
#include "common/error.h"
#include "common/file_util.h"
#include "lake/column_batch_testing.h"
#include "store/memory_store.h"

namespace ticklake::lake {
namespace {

const std::vector<std::string> kIndex = {"index"};  // left out, as --partition-by Index does

PartitionBatch BatchOf(int32_t partition, int64_t start,
                       std::vector<std::pair<std::string, std::string>> groups) {
  PartitionBatch batch;
  batch.partition = partition;
  batch.start_offset = start;
  for (auto& [path, jsonl] : groups) {
    auto& group = batch.groups.try_emplace(path, "t", partition).first->second;
    group.records = ColumnBatchOf(jsonl, "t", partition, kIndex);
    batch.written += static_cast<int64_t>(group.records.rows());
  }
  batch.consumed = batch.written;
  batch.next_offset = start + batch.consumed;
  return batch;
}

TEST(HiveLander, LandsEveryFileOfEveryBatchAndCommitsEachInOrder) {
  TempDir dir;
  MemoryStore store;
  CommitLog log(store, "t");
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir.path());
  HiveLander lander(store, log, encoder, "t", ".parquet", dir.path());
  std::vector<PartitionBatch> batches;
  batches.push_back(BatchOf(0, 0,
                            {{"index=A", "{\"index\":\"A\",\"v\":1}\n{\"index\":\"A\",\"v\":2}\n"},
                             {"index=B", "{\"index\":\"B\",\"v\":3}\n"}}));
  batches.push_back(BatchOf(3, 40, {{"index=A", "{\"index\":\"A\",\"v\":4}\n"}}));
  batches[1].errors_jsonl = "{\"reason\":\"not JSON\"}\n";
  batches[1].consumed++;
  batches[1].next_offset++;
  std::vector<std::pair<int32_t, int64_t>> committed;
  std::vector<HiveLander::Landed> landed;
  lander.Land(batches, [&](const PartitionBatch& batch, const HiveLander::Landed& l) {
    committed.emplace_back(batch.partition, batch.next_offset);
    landed.push_back(l);
  });
  EXPECT_EQ(committed, (std::vector<std::pair<int32_t, int64_t>>{{0, 3}, {3, 42}}));
  EXPECT_EQ(landed[0].files, 2);
  EXPECT_EQ(landed[1].files, 2);  // a data file and the rejected records
  EXPECT_GT(landed[0].bytes, 0);
  EXPECT_EQ(log.Recover(0), 3);
  EXPECT_EQ(log.Recover(3), 42);
  EXPECT_EQ(store.Get(ErrorFileKey("t", 3, 40)), "{\"reason\":\"not JSON\"}\n");
  EXPECT_TRUE(store.List("_ticklake/staging/", "").objects.empty());

  // The files are Parquet without the partition column, each with its own records.
  duck::Database db;
  duck::Connection conn(db);
  auto file = dir.path() / "check.parquet";
  WriteFileAtomically(file, store.Get(DataFileKey("t", "index=A", 0, 0, ".parquet")));
  auto r = conn.Query(
      "SELECT string_agg(v::VARCHAR, ',' ORDER BY v), count(*) FILTER (WHERE "
      "false) FROM read_parquet(" +
      duck::QuoteLiteral(file.string()) + ")");
  EXPECT_EQ(r.GetString(0, 0), "1,2");
  auto columns = conn.Query("SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet(" +
                            duck::QuoteLiteral(file.string()) + ")) WHERE column_name = 'index'");
  EXPECT_EQ(columns.GetString(0, 0), "0");
}

TEST(HiveLander, AFailedEncodeCommitsNothing) {
  TempDir dir;
  MemoryStore store;
  CommitLog log(store, "t");
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir.path());
  // Files are encoded into a folder that does not exist.
  HiveLander lander(store, log, encoder, "t", ".parquet", dir.path() / "missing");
  std::vector<PartitionBatch> batches;
  batches.push_back(BatchOf(0, 0, {{"", "{\"v\":1}\n"}}));
  int calls = 0;
  EXPECT_THROW(
      lander.Land(batches, [&](const PartitionBatch&, const HiveLander::Landed&) { ++calls; }),
      Error);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(log.Recover(0));
}

}  // namespace
}  // namespace ticklake::lake
