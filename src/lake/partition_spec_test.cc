#include "lake/partition_spec.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::lake {

TEST(PartitionSpec, ParsesFieldsAndTimeBuckets) {
  auto spec = ParsePartitionSpec("Index, dt=day(ts),hour=HOUR(kafka)");
  ASSERT_EQ(spec.size(), 3u);
  EXPECT_EQ(spec[0].key, "index");
  EXPECT_EQ(spec[0].field, "Index");
  EXPECT_FALSE(spec[0].unit);
  EXPECT_EQ(spec[1].key, "dt");
  EXPECT_EQ(spec[1].field, "ts");
  EXPECT_EQ(spec[1].unit, TimeUnit::kDay);
  EXPECT_EQ(spec[2].field, "");
  EXPECT_EQ(spec[2].unit, TimeUnit::kHour);
  EXPECT_TRUE(ParsePartitionSpec("").empty());
}

TEST(PartitionSpec, RejectsBadItems) {
  for (const char* bad : {"dt=day", "dt=week(ts)", "=day(ts)", "dt=day()", "a,A"}) {
    EXPECT_THROW(ParsePartitionSpec(bad), Error) << bad;
  }
}

TEST(PartitionSpec, TimeBucketsAreUtc) {
  int64_t micros = int64_t{1795793530} * 1'000'000;  // 2026-11-27T15:32:10Z
  EXPECT_EQ(TimeBucket(micros, TimeUnit::kYear), "2026");
  EXPECT_EQ(TimeBucket(micros, TimeUnit::kMonth), "11");
  EXPECT_EQ(TimeBucket(micros, TimeUnit::kDay), "2026-11-27");
  EXPECT_EQ(TimeBucket(micros, TimeUnit::kHour), "15");
  EXPECT_EQ(TimeBucket(-1, TimeUnit::kDay), "1969-12-31");
}

}  // namespace ticklake::lake
