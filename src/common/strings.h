// String helpers shared by the stages (SQL identifiers, Glue names and JSON keys are
// compared and lower-cased byte by byte; non-ASCII bytes are left alone). Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ticklake {

std::string AsciiLower(std::string_view s);
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// "2026-11-27 15:32:10" (UTC) for milliseconds since the epoch; "-" for 0 or less (unknown).
std::string FormatUtcMillis(int64_t ms);

}  // namespace ticklake
