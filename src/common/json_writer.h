// Minimal helpers for writing JSON text on hot paths (records, summaries) without building a DOM.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

// Appends `value` to `out` as a JSON string literal (quotes included), escaping as RFC 8259
// requires. Bytes >= 0x80 are copied as they are (callers pass UTF-8).
void AppendJsonString(std::string& out, std::string_view value);

// Appends a finite double in the shortest form that round-trips; NaN and infinities become null,
// since JSON has no representation for them.
void AppendJsonNumber(std::string& out, double value);

}  // namespace ticklake
