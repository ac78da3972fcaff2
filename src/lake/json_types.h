// Type inference for flat JSON records, as DuckDB's read_json would infer them, so the sink can
// build typed columns itself (simdjson + DuckDB appender) instead of having DuckDB re-parse JSON
// text — several times faster. Rules, per column over one batch:
//   integers -> BIGINT; integers and decimals -> DOUBLE; booleans -> BOOLEAN;
//   strings that are all ISO-8601 dates -> DATE, all timestamps (or dates) -> TIMESTAMP (UTC);
//   any other mix (a number and a string, say) -> VARCHAR holding the value as JSON text
//   (numbers in their shortest round-trip form);
//   only nulls -> VARCHAR. Nested objects and arrays are not handled here (callers fall back).
// Stateless functions and a small value type; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticklake::lake {

enum class ColumnType { kBoolean, kBigint, kDouble, kDate, kTimestamp, kVarchar };

const char* SqlTypeName(ColumnType type);

// What one column has seen so far.
struct ColumnEvidence {
  bool booleans = false, integers = false, decimals = false;
  bool dates = false, timestamps = false, other_strings = false;

  ColumnType Resolve() const;
  void Merge(const ColumnEvidence& other) {
    booleans |= other.booleans, integers |= other.integers, decimals |= other.decimals;
    dates |= other.dates, timestamps |= other.timestamps, other_strings |= other.other_strings;
  }
};

// "2026-11-27" -> days since 1970-01-01.
std::optional<int32_t> ParseIsoDate(std::string_view text);
// "2026-11-27T15:32:10.123456Z", "2026-11-27 15:32:10", "...+02:00" -> microseconds since the
// epoch, in UTC. Without a zone the time is taken as UTC.
std::optional<int64_t> ParseIsoTimestamp(std::string_view text);

// The canonical forms, which a typed value turns back into exactly (years 0000-9999):
// "2026-11-27" and "2026-11-27T15:32:10.123456Z" (what `ticklake produce` writes). A ColumnBatch
// keeps values in these forms as numbers, not text.
void AppendIsoDate(std::string& out, int32_t days);
void AppendIsoTimestamp(std::string& out, int64_t micros);
// The microseconds of a timestamp written exactly as AppendIsoTimestamp writes it; nullopt for
// any other form (other zones, precisions, a leap second), which would not read back the same.
std::optional<int64_t> ParseCanonicalTimestamp(std::string_view text);

}  // namespace ticklake::lake
