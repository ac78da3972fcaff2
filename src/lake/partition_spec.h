// PartitionSpec: how the sink derives a record's Hive partition folders, from --partition-by.
// Each comma-separated item is either
//   FIELD                    a record field (matched case-insensitively; the folder key is its
//                            lower-case name, and the field is left out of the data file), or
//   KEY=UNIT(SOURCE)         a time bucket of SOURCE — the Kafka timestamp ("kafka") or a record
//                            field holding an ISO-8601 date/timestamp or epoch seconds,
//                            milliseconds or microseconds — with UNIT one of year, month, day,
//                            hour (values 2026, 11, 2026-11-27, 14; UTC).
// Example: "Index,dt=day(ts),hour=hour(ts)" -> index=HSI/dt=2026-11-27/hour=14.
// A plain value type; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::lake {

enum class TimeUnit { kYear, kMonth, kDay, kHour };

struct PartitionColumn {
  std::string key;               // the Hive folder key, lower-case
  std::string field;             // record field (the value, or the time source); empty = Kafka time
  std::optional<TimeUnit> unit;  // set for time buckets
};

// Parses --partition-by; throws Error naming the bad item.
std::vector<PartitionColumn> ParsePartitionSpec(std::string_view text);

// The bucket of a time given in microseconds since the epoch (UTC).
std::string TimeBucket(int64_t micros, TimeUnit unit);

}  // namespace ticklake::lake
