#include "lake/iceberg_offsets.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::lake {
namespace {

iceberg::Snapshot SnapshotOf(int64_t id, std::optional<int64_t> parent,
                             std::map<std::string, std::string> summary) {
  iceberg::Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.summary = std::move(summary);
  return s;
}

TEST(IcebergOffsets, RoundTripAndBadText) {
  KafkaOffsets offsets = {{0, 12}, {3, 40000000000}};
  EXPECT_EQ(SerializeOffsets(offsets), "{\"0\":12,\"3\":40000000000}");
  EXPECT_EQ(ParseOffsets(SerializeOffsets(offsets), "x"), offsets);
  EXPECT_EQ(SerializeOffsets({}), "{}");
  EXPECT_THROW(ParseOffsets("[1]", "snapshot 7"), Error);
  EXPECT_THROW(ParseOffsets("{\"a\":1}", "snapshot 7"), Error);
  EXPECT_THROW(ParseOffsets("{\"1\":-4}", "snapshot 7"), Error);
}

TEST(IcebergOffsets, CarriedForwardAndFoundPastSnapshotsOfOtherWriters) {
  iceberg::TableMetadata metadata;
  EXPECT_TRUE(CommittedOffsets(metadata, "t").empty());  // no snapshot
  auto first = OffsetsSummary("t", {}, {{0, 10}, {1, 5}});
  EXPECT_EQ(first.at(kSummaryOffsets), "{\"0\":10,\"1\":5}");
  auto second = OffsetsSummary("t", {{0, 10}, {1, 5}}, {{1, 9}, {2, 3}});
  EXPECT_EQ(second.at(kSummaryOffsets), "{\"0\":10,\"1\":9,\"2\":3}");

  metadata.snapshots = {SnapshotOf(1, std::nullopt, first), SnapshotOf(2, 1, second),
                        SnapshotOf(3, 2, {{"operation", "replace"}})};  // a compaction
  metadata.current_snapshot_id = 3;
  EXPECT_EQ(CommittedOffsets(metadata, "t"), (KafkaOffsets{{0, 10}, {1, 9}, {2, 3}}));
  EXPECT_TRUE(CommittedOffsets(metadata, "other_topic").empty());
}

}  // namespace
}  // namespace ticklake::lake
