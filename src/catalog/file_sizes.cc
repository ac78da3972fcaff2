#include "catalog/file_sizes.h"

#include <fmt/format.h>

namespace ticklake::catalog {

int64_t AverageFileBytes(const TableInfo& table) {
  return table.file_count > 0 ? table.size_bytes / table.file_count : 0;
}

std::string SmallFileWarning(const TableInfo& table) {
  if (table.file_count < kSmallFilesMinCount) return "";
  int64_t average = AverageFileBytes(table);
  if (average >= kSmallFileBytes) return "";
  return fmt::format(
      "{} files of {} on average: small files make queries slow (each one is opened and its "
      "footer read); flush less often (sink --flush-interval, --flush-records) or partition "
      "less finely",
      table.file_count, HumanBytes(average));
}

std::string HumanBytes(int64_t bytes) {
  // Decimal units, as the console shows sizes.
  if (bytes < 1000) return fmt::format("{} B", bytes);
  const char* units[] = {"KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1000;
  int unit = 0;
  while (value >= 1000 && unit < 3) value /= 1000, ++unit;
  return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace ticklake::catalog
