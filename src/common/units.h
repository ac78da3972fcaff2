// Flag values with units, parsed with clear errors: durations ("7d", "12h", "30m", "45s",
// "500ms") for housekeeping ages, and byte sizes ("128M", "1G", "512KiB", "1000000") for file
// and cache sizes (binary multiples: K = 1024).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace ticklake {

// Milliseconds; throws Error quoting `text` and `flag` (e.g. "--older-than") when it is not a
// non-negative number followed by ms, s, m, h, d or w.
int64_t ParseDurationMs(std::string_view text, std::string_view flag);

// Bytes; throws Error quoting `text` and `flag` when it is not a non-negative number with an
// optional K, M, G or T (also KB/KiB, ...).
uint64_t ParseByteSize(std::string_view text, std::string_view flag);

}  // namespace ticklake
