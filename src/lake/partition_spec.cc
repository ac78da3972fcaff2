#include "lake/partition_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "common/error.h"
#include "common/strings.h"

namespace ticklake::lake {
namespace {

std::string Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  size_t end = s.find_last_not_of(" \t");
  return begin == std::string_view::npos ? "" : std::string(s.substr(begin, end - begin + 1));
}

}  // namespace

std::vector<PartitionColumn> ParsePartitionSpec(std::string_view text) {
  std::vector<PartitionColumn> columns;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    PartitionColumn column;
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      column.key = AsciiLower(item);
      column.field = item;
    } else {
      column.key = AsciiLower(Trim(item.substr(0, eq)));
      std::string expr = Trim(item.substr(eq + 1));
      size_t open = expr.find('(');
      if (column.key.empty() || open == std::string::npos || expr.back() != ')') {
        Fail(
            "invalid --partition-by item '{}': expected FIELD or KEY=UNIT(SOURCE), e.g. dt=day(ts)",
            item);
      }
      std::string unit = AsciiLower(Trim(expr.substr(0, open)));
      std::string source = Trim(expr.substr(open + 1, expr.size() - open - 2));
      if (unit == "year")
        column.unit = TimeUnit::kYear;
      else if (unit == "month")
        column.unit = TimeUnit::kMonth;
      else if (unit == "day")
        column.unit = TimeUnit::kDay;
      else if (unit == "hour")
        column.unit = TimeUnit::kHour;
      else
        Fail("invalid --partition-by item '{}': unit must be year, month, day or hour", item);
      if (source.empty())
        Fail("invalid --partition-by item '{}': no time source (a field, or kafka)", item);
      column.field = source == "kafka" ? "" : source;
    }
    for (const auto& other : columns) {
      if (other.key == column.key)
        Fail("--partition-by names the folder key '{}' twice", column.key);
    }
    columns.push_back(std::move(column));
  }
  if (columns.size() > 64) Fail("--partition-by has more than 64 items");
  return columns;
}

std::string TimeBucket(int64_t micros, TimeUnit unit) {
  int64_t seconds = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  switch (unit) {
    case TimeUnit::kYear:
      return fmt::format("{:04}", tm.tm_year + 1900);
    case TimeUnit::kMonth:
      return fmt::format("{:02}", tm.tm_mon + 1);
    case TimeUnit::kDay:
      return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    case TimeUnit::kHour:
      return fmt::format("{:02}", tm.tm_hour);
  }
  return "";
}

}  // namespace ticklake::lake
