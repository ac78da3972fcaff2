#include "lake/commit_log.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "store/memory_store.h"

namespace ticklake::lake {
namespace {

std::vector<std::string> Keys(ObjectStore& store, const std::string& prefix = "") {
  std::vector<std::string> keys;
  for (auto& o : store.List(prefix).objects) keys.push_back(o.key);
  return keys;
}

TEST(CommitLog, NamesAreDeterministic) {
  EXPECT_EQ(DataFileKey("stock_market", "index=HSI", 3, 12345, ".parquet"),
            "stock_market/index=HSI/part-00003-00000000000000012345.parquet");
  EXPECT_EQ(DataFileKey("t", "", 0, 0, ".jsonl"), "t/part-00000-00000000000000000000.jsonl");
  EXPECT_EQ(ErrorFileKey("t", 1, 7), "_errors/t/part-00001-00000000000000000007.jsonl");
}

TEST(CommitLog, EmptyLakeRecoversToNothing) {
  MemoryStore store;
  CommitLog log(store, "t");
  EXPECT_FALSE(log.Recover(0));
}

TEST(CommitLog, CommitPublishesAndRecoverResumesAfterIt) {
  MemoryStore store;
  CommitLog log(store, "t");
  std::string final_key = DataFileKey("t", "index=HSI", 0, 0, ".parquet");
  std::string staged = log.StagingKey(0, 0, final_key);
  store.Put(staged, "data");
  log.Commit(0, 10, {{staged, final_key}});
  EXPECT_EQ(store.Get(final_key), "data");
  EXPECT_TRUE(Keys(store, "_ticklake/staging/").empty());
  EXPECT_EQ(log.Recover(0), 10);
  EXPECT_EQ(store.Get(final_key), "data");
}

TEST(CommitLog, CrashBeforeCommitPointLeavesNoData) {
  MemoryStore store;
  CommitLog log(store, "t");
  std::string final_key = DataFileKey("t", "index=HSI", 2, 5, ".parquet");
  store.Put(log.StagingKey(2, 5, final_key), "uncommitted");
  EXPECT_FALSE(log.Recover(2));
  EXPECT_EQ(Keys(store), std::vector<std::string>{});
}

TEST(CommitLog, CrashAfterCommitPointIsCompletedByRecover) {
  MemoryStore store;
  CommitLog log(store, "t");
  std::string a = DataFileKey("t", "index=A", 1, 0, ".parquet");
  std::string b = DataFileKey("t", "index=B", 1, 0, ".parquet");
  PartitionState state{7, {{log.StagingKey(1, 0, a), a}, {log.StagingKey(1, 0, b), b}}};
  // The state was written and file a was moved; then the process died.
  store.Put(state.pending[1].staging_key, "b");
  store.Put(a, "a");
  store.Put(log.StateKey(1), SerializeState("t", 1, state));
  // An uncommitted next batch had started staging too.
  store.Put(log.StagingKey(1, 7, DataFileKey("t", "index=A", 1, 7, ".parquet")), "next");
  EXPECT_EQ(log.Recover(1), 7);
  EXPECT_EQ(store.Get(a), "a");
  EXPECT_EQ(store.Get(b), "b");
  EXPECT_TRUE(Keys(store, "_ticklake/staging/").empty());
}

TEST(CommitLog, CorruptStateIsAnErrorNamingTheObject) {
  MemoryStore store;
  CommitLog log(store, "t");
  store.Put(log.StateKey(0), "{not json");
  try {
    log.Recover(0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("_ticklake/sink/t/partition-00000.json"),
              std::string::npos)
        << e.what();
  }
}

TEST(CommitLog, StateRoundTrips) {
  PartitionState state{42, {{"s\"1", "f 1"}}};
  PartitionState back = ParseState(SerializeState("t", 0, state), "x");
  EXPECT_EQ(back.next_offset, 42);
  ASSERT_EQ(back.pending.size(), 1u);
  EXPECT_EQ(back.pending[0].staging_key, "s\"1");
  EXPECT_EQ(back.pending[0].final_key, "f 1");
}

}  // namespace
}  // namespace ticklake::lake
