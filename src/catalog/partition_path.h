// Hive-style partition paths: the folders between a table's location and its files.
// "index=HSI/year=2020" names two partition columns; a folder level without '=' is an unnamed
// level, named partition_<level> as the Glue crawler does (partition_0 for the first level).
// Values are Hive-escaped (%XX) in paths; __HIVE_DEFAULT_PARTITION__ stands for NULL.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/hive_path.h"  // escaping and __HIVE_DEFAULT_PARTITION__

namespace ticklake::catalog {

struct PartitionLevel {
  std::string key;                   // lower-cased, as Glue stores partition keys
  std::optional<std::string> value;  // unescaped; nullopt for __HIVE_DEFAULT_PARTITION__
  std::string segment;               // the folder name as it is in the lake
};

// Parses "a=1/b=x%2Fy/" (trailing '/' optional; "" = no partition levels).
std::vector<PartitionLevel> ParsePartitionPath(std::string_view relative_dir);

// The type the crawler gives a partition column from all of its values (NULLs ignored):
// "int" / "bigint" when every value is an integer, "date" when every value is YYYY-MM-DD,
// "string" otherwise (and when there is no value at all).
std::string InferPartitionType(const std::vector<std::optional<std::string>>& values);

}  // namespace ticklake::catalog
