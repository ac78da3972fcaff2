#include "lake/iceberg_committer.h"

#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "common/file_util.h"
#include "lake/commit_log.h"
#include "store/memory_store.h"

namespace ticklake::lake {
namespace {

std::string Records(int32_t partition, int64_t first, int64_t end, const std::string& extra = "") {
  std::string out;
  for (int64_t o = first; o < end; ++o) {
    out += fmt::format(
        "{{\"Index\":\"HSI\",\"seq\":{}{},\"kafka_topic\":\"ticks\",\"kafka_partition\":{},"
        "\"kafka_offset\":{},\"kafka_timestamp\":1764237600000}}\n",
        o, extra, partition, o);
  }
  return out;
}

// A lake that runs `hook` once, at the next batch upload: between a flush's planning and its
// commit, where another writer's commit lands in real life.
class HookedStore : public MemoryStore {
 public:
  void PutFiles(const std::vector<FileUpload>& files) override {
    if (hook) std::exchange(hook, nullptr)();
    MemoryStore::PutFiles(files);
  }
  std::function<void()> hook;
};

class IcebergCommitterTest : public ::testing::Test {
 protected:
  // A sink member's committer: its own temporary directory, the shared catalog and lake.
  std::unique_ptr<IcebergCommitter> Member() {
    temps_.push_back(std::make_unique<TempDir>());
    IcebergSinkOptions options{(dir_.path() / "catalog.db").string(),
                               "ticks",
                               "Index",
                               true,
                               OnError::kDeadLetter,
                               temps_.back()->path()};
    return std::make_unique<IcebergCommitter>(options, lake_);
  }
  KafkaOffsets TableOffsets() {
    iceberg::SqlCatalog catalog((dir_.path() / "catalog.db").string());
    auto table = iceberg::Table::Load(catalog, lake_, {"default", "ticks"});
    return table ? CommittedOffsets(table->metadata(), "ticks") : KafkaOffsets{};
  }

  TempDir dir_;
  std::vector<std::unique_ptr<TempDir>> temps_;
  HookedStore lake_;
};

TEST_F(IcebergCommitterTest, OffsetsCarryForwardAcrossMembersAndResumeFromTheTable) {
  auto a = Member();
  auto b = Member();
  EXPECT_EQ(a->Resume(0), std::nullopt);
  EXPECT_EQ(b->Resume(1), std::nullopt);  // b's view of the table is now stale
  std::string p0 = Records(0, 0, 5), p1 = Records(1, 0, 3);
  auto landed = a->Land({{0, 0, 5, &p0, nullptr}});
  ASSERT_EQ(landed.size(), 1u);
  EXPECT_EQ(landed[0].records, 5);
  EXPECT_EQ(landed[0].files, 1);
  // b commits on top of a's snapshot: the summary keeps partition 0's offset.
  EXPECT_EQ(b->Land({{1, 0, 3, &p1, nullptr}})[0].records, 3);
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 5}, {1, 3}}));
  auto c = Member();
  EXPECT_EQ(c->Resume(0), 5);
  EXPECT_EQ(c->Resume(1), 3);
  EXPECT_EQ(c->Resume(2), std::nullopt);
  EXPECT_FALSE(lake_.List("ticks/data/index=HSI/", "").objects.empty());
}

TEST_F(IcebergCommitterTest, AMemberThatLostItsPartitionNeverCommitsItTwice) {
  auto zombie = Member();
  auto owner = Member();
  zombie->Resume(0);
  std::string first = Records(0, 0, 4);
  zombie->Land({{0, 0, 4, &first, nullptr}});
  // The partition moves to `owner`, which resumes at 4 and commits 4..9.
  EXPECT_EQ(owner->Resume(0), 4);
  std::string next = Records(0, 4, 10);
  owner->Land({{0, 4, 10, &next, nullptr}});
  // The zombie still believes it owns partition 0 and lands the same records again.
  std::string again = Records(0, 4, 10);
  try {
    zombie->Land({{0, 4, 10, &again, nullptr}});
    FAIL() << "committed twice";
  } catch (const iceberg::CommitConflict& e) {
    EXPECT_NE(std::string(e.what()).find("another member of the group took over the partition"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 10}}));
}

TEST_F(IcebergCommitterTest, NewFieldsEvolveTheSchemaAndMisfitsAreDeadLetters) {
  auto member = Member();
  member->Resume(0);
  std::string first = Records(0, 0, 2);
  member->Land({{0, 0, 2, &first, nullptr}});
  std::string second =
      Records(0, 2, 4, ",\"venue\":\"XHKG\"") +
      "{\"Index\":\"HSI\",\"seq\":\"x\",\"kafka_topic\":\"ticks\",\"kafka_partition\":0,"
      "\"kafka_offset\":4,\"kafka_timestamp\":1764237600000}\n";
  std::string sink_errors = "{\"reason\":\"not JSON\"}\n";
  auto landed = member->Land({{0, 2, 6, &second, &sink_errors}});
  EXPECT_EQ(landed[0].records, 2);
  EXPECT_EQ(landed[0].errors, 1);
  iceberg::SqlCatalog catalog((dir_.path() / "catalog.db").string());
  auto table = iceberg::Table::Load(catalog, lake_, {"default", "ticks"});
  ASSERT_TRUE(table);
  const iceberg::NestedField* venue = table->metadata().CurrentSchema().FindByName("venue");
  ASSERT_NE(venue, nullptr);
  EXPECT_EQ(venue->id, 7);
  EXPECT_EQ(table->metadata().snapshots.size(), 2u);
  std::string errors = lake_.Get(ErrorFileKey("ticks", 0, 2));
  EXPECT_NE(errors.find("not JSON"), std::string::npos) << errors;
  EXPECT_NE(errors.find("field 'seq' is a string but column seq is long"), std::string::npos)
      << errors;
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 6}}));
}

TEST_F(IcebergCommitterTest, AMemberWithAStaleViewEvolvesTheCurrentSchema) {
  auto a = Member();
  auto b = Member();
  a->Resume(0);
  std::string base = Records(0, 0, 2);
  a->Land({{0, 0, 2, &base, nullptr}});
  b->Resume(1);  // b's view: the schema without either new column
  std::string with_x = Records(0, 2, 4, ",\"x\":1");
  a->Land({{0, 2, 4, &with_x, nullptr}});
  // b plans on the table as it is now: "y" gets an id after "x", not the one "x" took.
  std::string with_y = Records(1, 0, 3, ",\"y\":\"v\"");
  EXPECT_EQ(b->Land({{1, 0, 3, &with_y, nullptr}})[0].records, 3);
  iceberg::SqlCatalog catalog((dir_.path() / "catalog.db").string());
  auto table = iceberg::Table::Load(catalog, lake_, {"default", "ticks"});
  ASSERT_TRUE(table);
  const auto& schema = table->metadata().CurrentSchema();
  ASSERT_TRUE(schema.FindByName("x") && schema.FindByName("y"));
  EXPECT_NE(schema.FindByName("x")->id, schema.FindByName("y")->id);
  int64_t records = 0;
  for (const auto& file : table->Plan().files) records += file.record_count;
  EXPECT_EQ(records, 7);
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 4}, {1, 3}}));
}

TEST_F(IcebergCommitterTest, ACommitBetweenPlanAndCommitKeepsItsOffsets) {
  auto a = Member();
  auto b = Member();
  a->Resume(0);
  b->Resume(1);
  std::string p0 = Records(0, 0, 5), p1 = Records(1, 0, 3);
  // a commits partition 0 while b uploads: b's summary is recomputed on a's snapshot.
  lake_.hook = [&] { a->Land({{0, 0, 5, &p0, nullptr}}); };
  EXPECT_EQ(b->Land({{1, 0, 3, &p1, nullptr}})[0].records, 3);
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 5}, {1, 3}}));
}

TEST_F(IcebergCommitterTest, ASchemaChangeBetweenPlanAndCommitMakesTheFlushWriteAgain) {
  auto a = Member();
  auto b = Member();
  a->Resume(0);
  b->Resume(1);
  std::string base = Records(0, 0, 2);
  a->Land({{0, 0, 2, &base, nullptr}});
  // b plans "y" with the next free id; before it commits, a adds "x" and takes that id.
  std::string with_x = Records(0, 2, 4, ",\"x\":1");
  lake_.hook = [&] { a->Land({{0, 2, 4, &with_x, nullptr}}); };
  std::string with_y = Records(1, 0, 3, ",\"y\":\"v\"");
  EXPECT_EQ(b->Land({{1, 0, 3, &with_y, nullptr}})[0].records, 3);
  iceberg::SqlCatalog catalog((dir_.path() / "catalog.db").string());
  auto table = iceberg::Table::Load(catalog, lake_, {"default", "ticks"});
  ASSERT_TRUE(table);
  const auto& schema = table->metadata().CurrentSchema();
  ASSERT_TRUE(schema.FindByName("x") && schema.FindByName("y"));
  EXPECT_EQ(schema.FindByName("y")->id, schema.FindByName("x")->id + 1);
  int64_t records = 0;
  for (const auto& file : table->Plan().files) records += file.record_count;
  EXPECT_EQ(records, 7);  // b's first files were never committed
  EXPECT_EQ(TableOffsets(), (KafkaOffsets{{0, 4}, {1, 3}}));
}

}  // namespace
}  // namespace ticklake::lake
