#include "common/units.h"

#include <cctype>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/strings.h"

namespace ticklake {
namespace {

// The number at the start of `text` and the rest, or false when there is none.
bool SplitNumber(std::string_view text, double* value, std::string* unit) {
  std::string s(text);
  size_t used = 0;
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return false;
  try {
    *value = std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  *unit = AsciiLower(s.substr(used));
  return std::isfinite(*value);
}

}  // namespace

int64_t ParseDurationMs(std::string_view text, std::string_view flag) {
  double value = 0;
  std::string unit;
  double scale = -1;
  if (SplitNumber(text, &value, &unit)) {
    scale = unit == "ms"  ? 1
            : unit == "s" ? 1000
            : unit == "m" ? 60e3
            : unit == "h" ? 3600e3
            : unit == "d" ? 86400e3
            : unit == "w" ? 604800e3
                          : -1;
  }
  if (scale < 0) {
    Fail("{}: invalid duration '{}' (a number with a unit: 30m, 12h, 7d, 2w, 45s, 500ms)", flag,
         text);
  }
  return static_cast<int64_t>(std::llround(value * scale));
}

uint64_t ParseByteSize(std::string_view text, std::string_view flag) {
  double value = 0;
  std::string unit;
  double scale = -1;
  if (SplitNumber(text, &value, &unit)) {
    if (unit.ends_with("ib")) unit = unit.substr(0, unit.size() - 2);
    if (unit.size() == 2 && unit[1] == 'b') unit.pop_back();
    scale = unit.empty() || unit == "b" ? 1
            : unit == "k"               ? 1024.0
            : unit == "m"               ? 1048576.0
            : unit == "g"               ? 1073741824.0
            : unit == "t"               ? 1099511627776.0
                                        : -1;
  }
  if (scale < 0) {
    Fail("{}: invalid size '{}' (a number of bytes with an optional unit: 128M, 1G, 512K)", flag,
         text);
  }
  return static_cast<uint64_t>(std::llround(value * scale));
}

}  // namespace ticklake
