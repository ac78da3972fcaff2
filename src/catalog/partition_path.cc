#include "catalog/partition_path.h"

#include <cctype>
#include <charconv>

#include "catalog/hive_type.h"

namespace ticklake::catalog {

std::vector<PartitionLevel> ParsePartitionPath(std::string_view relative_dir) {
  std::vector<PartitionLevel> levels;
  size_t start = 0;
  while (start < relative_dir.size()) {
    size_t end = relative_dir.find('/', start);
    if (end == std::string_view::npos) end = relative_dir.size();
    std::string_view segment = relative_dir.substr(start, end - start);
    start = end + 1;
    if (segment.empty()) continue;
    PartitionLevel level;
    level.segment = std::string(segment);
    size_t eq = segment.find('=');
    std::string_view raw_value = segment;
    if (eq != std::string_view::npos && eq > 0) {
      level.key = UnescapeHivePathComponent(segment.substr(0, eq));
      for (char& c : level.key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      raw_value = segment.substr(eq + 1);
    } else {
      level.key = "partition_" + std::to_string(levels.size());
    }
    if (raw_value != kHiveDefaultPartition) level.value = UnescapeHivePathComponent(raw_value);
    levels.push_back(std::move(level));
  }
  return levels;
}

std::string InferPartitionType(const std::vector<std::optional<std::string>>& values) {
  bool any = false, all_int = true, all_date = true, fits_int = true;
  for (const auto& v : values) {
    if (!v) continue;
    any = true;
    int64_t n = 0;
    std::string_view s = *v;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    bool is_int = !s.empty() && ec == std::errc() && ptr == s.data() + s.size() &&
                  !(s.size() > 1 && s[0] == '0');  // "007" keeps its zeros as a string
    if (!is_int) all_int = false;
    if (is_int && (n > INT32_MAX || n < INT32_MIN)) fits_int = false;
    if (!LooksLikeDate(s)) all_date = false;
  }
  if (!any) return "string";
  if (all_int) return fits_int ? "int" : "bigint";
  if (all_date) return "date";
  return "string";
}

}  // namespace ticklake::catalog
