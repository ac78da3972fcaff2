// Hive-style partition paths ("index=HSI/dt=2026-11-27"), escaped exactly as Hive escapes them
// (FileUtils.escapePathName), so that Hive, Spark, Glue, Athena and DuckDB read back the same
// values. The sink writes them and the crawler reads them: one definition for both.
// Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake {

// The folder name Hive uses for a NULL or missing partition value.
inline constexpr std::string_view kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

// Escapes a partition key or value: control characters and "#%'*/:=?\{[]^ and DEL become %XX.
std::string EscapeHivePathComponent(std::string_view value);
// Reverses EscapeHivePathComponent; malformed escapes are kept literally, as Hive does.
std::string UnescapeHivePathComponent(std::string_view value);

// Builds "k1=v1/k2=v2"; a nullopt value becomes __HIVE_DEFAULT_PARTITION__.
std::string HivePartitionPath(const std::vector<std::string>& keys,
                              const std::vector<std::optional<std::string>>& values);

}  // namespace ticklake
