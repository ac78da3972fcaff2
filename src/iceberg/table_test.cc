#include "iceberg/table.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

#include "common/file_util.h"
#include "iceberg/manifest.h"
#include "store/memory_store.h"

namespace ticklake::iceberg {
namespace {

constexpr int64_t kDayUs = 86'400'000'000LL;

class IcebergTableTest : public ::testing::Test {
 protected:
  IcebergTableTest() : catalog_((dir_.path() / "catalog.db").string()) {}

  CreateTableOptions Options() {
    CreateTableOptions o;
    o.schema.fields = {NestedField{1, "index", TypeId::kString, false, ""},
                       NestedField{2, "ts", TypeId::kTimestampTz, false, ""},
                       NestedField{3, "close", TypeId::kDouble, false, ""}};
    o.partition_by = ParseIcebergPartitionBy("index,day(ts)");
    return o;
  }
  Table Create() { return Table::Create(catalog_, lake_, ident_, "ticks", Options()); }

  // A data file in partition (index, day) with close in [lo, hi], put in the lake.
  DataFile File(Table& t, const std::string& index, int32_t day, double lo, double hi,
                int64_t records = 10) {
    DataFile f;
    f.partition = {index, day};
    std::string key = t.NewDataFileKey(f.partition, fmt::format("f{}", ++files_));
    lake_.Put(key, "parquet bytes");
    f.location = lake_.UriOf(key);
    f.record_count = records;
    f.file_size_in_bytes = 100;
    f.lower_bounds = {{3, SerializeBound(TypeId::kDouble, lo)},
                      {2, SerializeBound(TypeId::kTimestampTz, int64_t{day} * kDayUs)}};
    f.upper_bounds = {{3, SerializeBound(TypeId::kDouble, hi)},
                      {2, SerializeBound(TypeId::kTimestampTz, int64_t{day} * kDayUs + 1)}};
    return f;
  }

  size_t CountKeys(const std::string& prefix) { return lake_.List(prefix, "").objects.size(); }

  TempDir dir_;
  MemoryStore lake_;
  SqlCatalog catalog_;
  TableIdent ident_{"default", "ticks"};
  int files_ = 0;
};

TEST_F(IcebergTableTest, AppendsPlansAndTimeTravels) {
  Table t = Create();
  EXPECT_EQ(t.metadata().format_version, 2);
  EXPECT_EQ(t.Plan().snapshot, nullptr);
  EXPECT_TRUE(t.metadata_location().starts_with("memory://ticks/metadata/00000-"));
  Snapshot s1 =
      t.Append({{File(t, "HSI", 100, 1, 2)}, {{"ticklake.kafka.offsets", "0:10"}}, {}, {}});
  Snapshot s2 = t.Append({{File(t, "N225", 101, 5, 9), File(t, "HSI", 101, 3, 4, 7)}, {}, {}, {}});
  EXPECT_GT(s1.snapshot_id, 0);
  EXPECT_EQ(s2.parent_snapshot_id, s1.snapshot_id);
  EXPECT_EQ(s2.sequence_number, 2);
  EXPECT_EQ(s2.summary.at("added-data-files"), "2");
  EXPECT_EQ(s2.summary.at("added-records"), "17");
  EXPECT_EQ(s2.summary.at("total-records"), "27");
  EXPECT_EQ(s2.summary.at("total-data-files"), "3");
  EXPECT_EQ(s1.summary.at("ticklake.kafka.offsets"), "0:10");
  EXPECT_TRUE(t.metadata_location().starts_with("memory://ticks/metadata/00002-"));

  // Another process sees the same table; its plans are by snapshot or time.
  auto other = Table::Load(catalog_, lake_, ident_);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->Plan().files.size(), 3u);
  EXPECT_EQ(other->Plan({s1.snapshot_id, {}, {}}).files.size(), 1u);
  EXPECT_EQ(other->Plan({{}, s1.timestamp_ms, {}}).snapshot->snapshot_id,
            s2.timestamp_ms == s1.timestamp_ms ? s2.snapshot_id : s1.snapshot_id);
  EXPECT_THROW(other->Plan({{}, s1.timestamp_ms - 1, {}}), Error);
  EXPECT_THROW(other->Plan({12345, {}, {}}), Error);
  EXPECT_EQ(other->metadata().metadata_log.size(), 2u);

  // Pruning by partition value (index = HSI) and by bounds (close >= 5).
  ScanPlan hsi = other->Plan({{}, {}, {{1, std::string("HSI"), std::string("HSI")}}});
  EXPECT_EQ(hsi.files.size(), 2u);
  EXPECT_EQ(hsi.files_pruned, 1);
  ScanPlan high = other->Plan({{}, {}, {{3, 5.0, std::monostate{}}}});
  ASSERT_EQ(high.files.size(), 1u);
  EXPECT_EQ(high.files[0].partition[0], Literal(std::string("N225")));
  ScanPlan day = other->Plan({{}, {}, {{2, int64_t{101} * kDayUs, int64_t{102} * kDayUs}}});
  EXPECT_EQ(day.files.size(), 2u);
}

TEST_F(IcebergTableTest, ConcurrentAppendsFromTwoTablesKeepBothCommits) {
  Table a = Create();
  Table b = *Table::Load(catalog_, lake_, ident_);
  a.Append({{File(a, "HSI", 1, 0, 1)}, {}, {}, {}});
  size_t metadata_files = CountKeys("ticks/metadata/");
  // b's base is stale: its first swap loses, it re-applies on a's snapshot.
  Snapshot sb = b.Append({{File(b, "N225", 1, 0, 1)}, {}, {}, {}});
  EXPECT_EQ(sb.parent_snapshot_id, a.metadata().current_snapshot_id);
  EXPECT_EQ(sb.summary.at("total-data-files"), "2");
  a.Refresh();
  EXPECT_EQ(a.Plan().files.size(), 2u);
  EXPECT_EQ(a.metadata().snapshots.size(), 2u);
  // The lost attempt's manifest, list and metadata file were deleted: one each per commit.
  EXPECT_EQ(CountKeys("ticks/metadata/"), metadata_files + 3);
}

TEST_F(IcebergTableTest, WritersOnTwoThreadsLoseNoCommit) {
  Create();
  constexpr int kAppends = 15;
  auto writer = [&](std::string index) {
    SqlCatalog catalog(catalog_.path());  // one catalog connection per thread
    Table t = *Table::Load(catalog, lake_, ident_);
    for (int i = 0; i < kAppends; ++i) {
      DataFile f;
      f.partition = {index, int32_t{1}};
      f.location = t.LocationOf(t.NewDataFileKey(f.partition, fmt::format("{}-{}", index, i)));
      f.record_count = 1;
      t.Append({{f}, {}, {}, {}});
    }
  };
  std::thread a(writer, "HSI"), b(writer, "N225");
  a.join();
  b.join();
  Table t = *Table::Load(catalog_, lake_, ident_);
  EXPECT_EQ(t.metadata().snapshots.size(), 2u * kAppends);
  EXPECT_EQ(t.Plan().files.size(), 2u * kAppends);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("total-records"),
            std::to_string(2 * kAppends));
  EXPECT_EQ(t.metadata().last_sequence_number, 2 * kAppends);
}

TEST_F(IcebergTableTest, AStaleBaseWhoseFilesWereExpiredIsRetried) {
  Table a = Create();
  a.Append({{File(a, "HSI", 1, 0, 1)}, {}, {}, {}});
  Table b = *Table::Load(catalog_, lake_, ident_);  // its base: the first snapshot
  a.Append({{File(a, "HSI", 1, 0, 1)}, {}, {}, {}});
  ExpireResult expired = a.Expire(INT64_MAX, 1, std::nullopt);
  ASSERT_EQ(expired.snapshots_expired, 1);
  ASSERT_FALSE(lake_.Head(b.KeyOf(b.metadata().CurrentSnapshot()->manifest_list)));
  Snapshot s = b.Append({{File(b, "N225", 1, 0, 1)}, {}, {}, {}});
  EXPECT_EQ(s.summary.at("total-data-files"), "3");
  EXPECT_EQ(Table::Load(catalog_, lake_, ident_)->Plan().files.size(), 3u);
}

TEST_F(IcebergTableTest, ValidateHookAbortsWithoutLeavingFiles) {
  Table t = Create();
  t.Append({{File(t, "HSI", 1, 0, 1)}, {{"offset", "10"}}, {}, {}});
  size_t metadata_files = CountKeys("ticks/metadata/");
  AppendRequest request{{File(t, "HSI", 1, 0, 1)}, {}, {}, {}};
  request.validate = [](const TableMetadata& m) {
    if (m.CurrentSnapshot()->summary.at("offset") == "10")
      throw CommitConflict("already committed");
  };
  EXPECT_THROW(t.Append(request), CommitConflict);
  EXPECT_EQ(t.metadata().snapshots.size(), 1u);
  EXPECT_EQ(CountKeys("ticks/metadata/"), metadata_files);
}

TEST_F(IcebergTableTest, RewriteReplacesFilesAndConflictsWhenAnInputIsGone) {
  Table t = Create();
  DataFile f1 = File(t, "HSI", 1, 0, 1, 4), f2 = File(t, "HSI", 1, 2, 3, 6),
           f3 = File(t, "N225", 1, 0, 1);
  t.Append({{f1, f2}, {}, {}, {}});
  t.Append({{f3}, {}, {}, {}});
  Table other = *Table::Load(catalog_, lake_, ident_);
  Snapshot r = t.Rewrite({{f1.location, f2.location}, {File(t, "HSI", 1, 0, 3, 10)}, {}});
  EXPECT_EQ(r.Operation(), "replace");
  EXPECT_EQ(r.summary.at("deleted-data-files"), "2");
  EXPECT_EQ(r.summary.at("total-records"), "20");
  EXPECT_EQ(r.summary.at("total-data-files"), "2");
  EXPECT_EQ(t.Plan().files.size(), 2u);
  // `other` planned the same compaction on the old snapshot: f1 is gone now.
  EXPECT_THROW(other.Rewrite({{f1.location}, {File(other, "HSI", 1, 0, 1, 4)}, {}}),
               CommitConflict);
  // An append made meanwhile by someone else survives a rewrite.
  Table appender = *Table::Load(catalog_, lake_, ident_);
  appender.Append({{File(appender, "HSI", 2, 0, 1)}, {}, {}, {}});
  t.Rewrite({{f3.location}, {File(t, "N225", 1, 0, 1)}, {}});
  EXPECT_EQ(t.Plan().files.size(), 3u);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("total-records"), "30");
}

TEST_F(IcebergTableTest, RewriteCarriesTheWritersOffsetsThroughExpire) {
  Table t = Create();
  DataFile f1 = File(t, "HSI", 1, 0, 1), f2 = File(t, "HSI", 1, 2, 3);
  t.Append({{f1}, {{"ticklake.kafka.offsets", R"({"0":2})"}}, {}, {}});
  t.Append({{f2}, {{"ticklake.kafka.offsets", R"({"0":4})"}}, {}, {}});
  Snapshot r = t.Rewrite({{f1.location, f2.location}, {File(t, "HSI", 1, 0, 3)}, {}});
  EXPECT_EQ(r.summary.at("ticklake.kafka.offsets"), R"({"0":4})");
  // Only the replace snapshot is left: the sink must still find where to resume.
  t.Expire(std::numeric_limits<int64_t>::max(), 1, std::nullopt);
  ASSERT_EQ(t.metadata().snapshots.size(), 1u);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("ticklake.kafka.offsets"), R"({"0":4})");
}

TEST_F(IcebergTableTest, SchemaEvolutionAddsAndPromotesOnly) {
  Table t = Create();
  Schema wider = t.metadata().CurrentSchema();
  wider.fields.push_back(NestedField{4, "volume", TypeId::kInt, false, ""});
  t.Append({{File(t, "HSI", 1, 0, 1)}, {}, wider, {}});
  EXPECT_EQ(t.metadata().current_schema_id, 1);
  EXPECT_EQ(t.metadata().last_column_id, 4);
  EXPECT_EQ(t.Plan().schema.fields.size(), 4u);
  Schema promoted = t.metadata().CurrentSchema();
  promoted.fields[3].type = TypeId::kLong;
  t.UpdateSchema(promoted);
  EXPECT_EQ(t.metadata().CurrentSchema().fields[3].type, TypeId::kLong);
  Schema bad = promoted;
  bad.fields[0].type = TypeId::kLong;  // string -> long
  EXPECT_THROW(t.UpdateSchema(bad), Error);
  Schema dropped = promoted;
  dropped.fields.pop_back();
  EXPECT_THROW(t.UpdateSchema(dropped), Error);
  Schema reused_id = promoted;
  reused_id.fields.push_back(NestedField{2, "again", TypeId::kInt, false, ""});
  EXPECT_THROW(t.UpdateSchema(reused_id), Error);
  t.SetProperties({{"commit.retry.num-retries", "10"}});
  EXPECT_EQ(
      Table::Load(catalog_, lake_, ident_)->metadata().properties.at("commit.retry.num-retries"),
      "10");
}

TEST_F(IcebergTableTest, ExpireDeletesOnlyWhatNoKeptSnapshotNeeds) {
  Table t = Create();
  DataFile f1 = File(t, "HSI", 1, 0, 1), f2 = File(t, "HSI", 1, 0, 1),
           f3 = File(t, "N225", 1, 0, 1);
  t.Append({{f1}, {}, {}, {}});
  t.Append({{f2}, {}, {}, {}});
  t.Append({{f3}, {}, {}, {}});
  DataFile merged = File(t, "HSI", 1, 0, 1, 20);
  t.Rewrite({{f1.location, f2.location}, {merged}, {}});
  lake_.Put("ticks/data/index=HSI/crashed-writer.parquet", "orphan");
  lake_.Put("ticks/metadata/crashed-m0.avro", "orphan");

  // Keep the newest two snapshots whatever their age: f1 and f2 are still needed by the
  // third snapshot, so nothing is deleted but the first manifest list.
  ExpireResult kept = t.Expire(INT64_MAX, 2, std::nullopt);
  EXPECT_EQ(kept.snapshots_expired, 2);
  EXPECT_EQ(kept.data_files_deleted, 0);
  EXPECT_TRUE(lake_.Head(t.KeyOf(f1.location)));

  ExpireResult all = t.Expire(INT64_MAX, 1,
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                      .count() +
                                  3600000);
  EXPECT_EQ(all.snapshots_expired, 1);
  EXPECT_EQ(all.data_files_deleted, 2);
  EXPECT_EQ(all.orphans_deleted, 2);
  EXPECT_FALSE(lake_.Head(t.KeyOf(f1.location)));
  EXPECT_FALSE(lake_.Head("ticks/metadata/crashed-m0.avro"));
  // Every file the current snapshot needs is there, and the table reads back whole.
  Table reloaded = *Table::Load(catalog_, lake_, ident_);
  ScanPlan plan = reloaded.Plan();
  ASSERT_EQ(plan.files.size(), 2u);
  for (const auto& f : plan.files) EXPECT_TRUE(lake_.Head(t.KeyOf(f.location))) << f.location;
  EXPECT_EQ(plan.snapshot->summary.at("total-records"), "30");
  EXPECT_TRUE(lake_.Head(t.KeyOf(plan.snapshot->manifest_list)));
  EXPECT_EQ(reloaded.metadata().snapshots.size(), 1u);
}

TEST_F(IcebergTableTest, AppendsMergeManifestsPastTheThreshold) {
  Table t = Create();
  t.SetProperties({{"commit.manifest.min-count-to-merge", "3"}});
  DataFile first = File(t, "HSI", 1, 0, 1, 5);
  Snapshot s1 = t.Append({{first}, {}, {}, {}});
  t.Append({{File(t, "HSI", 1, 0, 1)}, {}, {}, {}});
  DataFile merged_away = File(t, "N225", 1, 0, 1);
  t.Append({{merged_away}, {}, {}, {}});  // third manifest: merged with the two before
  t.Rewrite({{merged_away.location}, {File(t, "N225", 1, 0, 1)}, {}});
  Snapshot last = t.Append({{File(t, "HSI", 2, 0, 1)}, {}, {}, {}});
  auto manifests = ReadManifestList(lake_.Get(t.KeyOf(last.manifest_list)), last.manifest_list);
  ASSERT_EQ(manifests.size(), 1u);  // merged again: 1 merged + 1 rewritten + 1 new >= 3
  EXPECT_EQ(manifests[0].added_files_count, 1);
  EXPECT_EQ(manifests[0].existing_files_count, 3);
  EXPECT_EQ(manifests[0].deleted_files_count, 0);
  EXPECT_EQ(manifests[0].min_sequence_number, 1);
  EXPECT_EQ(last.summary.at("total-data-files"), "4");
  EXPECT_EQ(last.summary.at("total-records"), "35");
  ScanPlan plan = Table::Load(catalog_, lake_, ident_)->Plan();
  EXPECT_EQ(plan.files.size(), 4u);
  // Entries keep their original snapshot and sequence number through the merge.
  for (const auto& e : t.LiveEntries(last)) {
    if (e.file.location == first.location) {
      EXPECT_EQ(e.snapshot_id, s1.snapshot_id);
      EXPECT_EQ(e.sequence_number, 1);
      EXPECT_EQ(e.status, ManifestEntryStatus::kExisting);
    }
  }
}

TEST_F(IcebergTableTest, UnpartitionedTablesUseAnEmptyPartitionStruct) {
  CreateTableOptions o = Options();
  o.partition_by.clear();
  Table t = Table::Create(catalog_, lake_, {"default", "flat"}, "flat", o);
  EXPECT_TRUE(t.metadata().DefaultSpec().Unpartitioned());
  EXPECT_EQ(t.NewDataFileKey({}, "a"), "flat/data/a.parquet");
  DataFile f;
  f.location = t.LocationOf("flat/data/a.parquet");
  f.record_count = 3;
  t.Append({{f}, {}, {}, {}});
  ScanPlan plan = Table::Load(catalog_, lake_, {"default", "flat"})->Plan();
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_TRUE(plan.files[0].partition.empty());
  EXPECT_EQ(plan.files[0].record_count, 3);
}

TEST_F(IcebergTableTest, CorruptMetadataIsAnErrorNamingTheFile) {
  Table t = Create();
  t.Append({{File(t, "HSI", 1, 0, 1)}, {}, {}, {}});
  std::string key = t.KeyOf(t.metadata_location());
  lake_.Put(key, "{\"format-version\": 2, truncated");
  try {
    Table::Load(catalog_, lake_, ident_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(t.metadata_location()), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.KeyOf("s3://elsewhere/x.parquet"), Error);
}

TEST_F(IcebergTableTest, NotAvroManifestListIsAnErrorNamingTheFile) {
  Table t = Create();
  Snapshot s = t.Append({{File(t, "HSI", 1, 0, 1)}, {}, {}, {}});
  lake_.Put(t.KeyOf(s.manifest_list), "not avro");
  try {
    t.Plan();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(s.manifest_list), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ticklake::iceberg
