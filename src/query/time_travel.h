// Time travel over Iceberg tables with Athena's and Trino's syntax, rewritten by ticklake before
// DuckDB sees the statement:
//
//   SELECT ... FROM t FOR VERSION AS OF 8744736658442914487            -- a snapshot id
//   SELECT ... FROM t FOR TIMESTAMP AS OF TIMESTAMP '2026-11-29 10:00:00'   -- UTC
//
// FOR SYSTEM_VERSION / FOR SYSTEM_TIME (Athena's older spelling) are accepted too, and the
// timestamp may be a plain string literal or carry a zone ('... UTC', 'Z', '+01:00'); without
// one it is UTC. Each clause (with the table reference before it: t, db.t, "t") is replaced by a
// reference to a view of that snapshot, "__ticklake_iceberg"."<as written>@v<id>" or "...@t<ms>",
// aliased with the table's name when the statement gives no alias, so `t.col` keeps working.
// The query engine builds those views (query/iceberg_views.h); the rewrite itself only parses.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::query {

// The DuckDB schema holding the per-snapshot views.
inline constexpr const char* kTimeTravelSchema = "__ticklake_iceberg";

struct TimeTravelRef {
  std::string database;  // as written (lower-cased unless quoted); empty when unqualified
  std::string table;
  std::optional<int64_t> snapshot_id;  // FOR VERSION AS OF
  std::optional<int64_t> as_of_ms;     // FOR TIMESTAMP AS OF, ms since the epoch (UTC)
  std::string view;                    // the view name inside kTimeTravelSchema
};

struct TimeTravelStatement {
  std::string sql;  // the statement with every clause replaced
  std::vector<TimeTravelRef> refs;
  // `sql` without the aliases the rewrite added: its identifiers are the tables the statement
  // reads at their current snapshot.
  std::string unaliased_sql;
};

// Throws Error naming the clause when its value is not a snapshot id or a timestamp literal.
TimeTravelStatement RewriteTimeTravel(std::string_view sql);

// "2026-11-29", "2026-11-29 10:00", "2026-11-29T10:00:00.250", with an optional zone
// (" UTC", "Z", "+01:00", "-0530"; none = UTC), as milliseconds since the epoch. Throws Error
// quoting the text when it is not such a timestamp.
int64_t ParseUtcTimestampMs(std::string_view text);

}  // namespace ticklake::query
