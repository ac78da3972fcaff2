#include "query/iceberg_pruning.h"

#include <charconv>
#include <cmath>

#include "common/error.h"
#include "common/strings.h"
#include "query/sql_text.h"
#include "query/time_travel.h"

namespace ticklake::query {
namespace {

using iceberg::Literal;
using iceberg::TypeId;

// A literal as written: a string (also DATE '…' / TIMESTAMP '…') or a number.
struct Written {
  enum Kind { kString, kDate, kTimestamp, kNumber } kind;
  std::string text;
};

// The closed interval a written literal covers in the column's type ([v, v] for exact values; a
// timestamp with sub-millisecond digits covers its millisecond), or false when it does not
// convert exactly, in which case the conjunct is left to DuckDB.
bool Convert(const Written& w, TypeId type, Literal* lo, Literal* hi) {
  switch (type) {
    case TypeId::kString:
      if (w.kind != Written::kString) return false;
      *lo = *hi = w.text;
      return true;
    case TypeId::kInt:
    case TypeId::kLong: {
      if (w.kind != Written::kNumber) return false;
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(w.text.data(), w.text.data() + w.text.size(), v);
      if (ec != std::errc() || ptr != w.text.data() + w.text.size()) return false;
      if (type == TypeId::kInt) {
        if (v < INT32_MIN || v > INT32_MAX) return false;
        *lo = *hi = static_cast<int32_t>(v);
      } else {
        *lo = *hi = v;
      }
      return true;
    }
    case TypeId::kDouble: {
      if (w.kind != Written::kNumber) return false;
      char* end = nullptr;
      double v = std::strtod(w.text.c_str(), &end);
      if (end != w.text.c_str() + w.text.size() || !std::isfinite(v)) return false;
      *lo = *hi = v;
      return true;
    }
    case TypeId::kDate: {
      if ((w.kind != Written::kString && w.kind != Written::kDate) || w.text.size() != 10) {
        return false;
      }
      try {
        int64_t ms = ParseUtcTimestampMs(w.text);
        *lo = *hi = static_cast<int32_t>(ms / 86400000);
        return ms % 86400000 == 0;
      } catch (const Error&) {
        return false;
      }
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (w.kind == Written::kNumber || w.kind == Written::kDate) return false;
      // A zone in the literal: after the date, a Z, a letter zone or a +/- offset.
      std::string_view rest = std::string_view(w.text).substr(std::min<size_t>(10, w.text.size()));
      bool zoned = rest.find_first_of("Z+-") != std::string_view::npos ||
                   rest.find("UTC") != std::string_view::npos ||
                   rest.find("utc") != std::string_view::npos;
      if (zoned != (type == TypeId::kTimestampTz)) return false;
      try {
        int64_t ms = ParseUtcTimestampMs(w.text);
        size_t dot = w.text.find('.');
        size_t digits = 0;
        if (dot != std::string::npos) {
          while (dot + 1 + digits < w.text.size() && std::isdigit(w.text[dot + 1 + digits])) {
            ++digits;
          }
        }
        *lo = ms * 1000;
        *hi = ms * 1000 + (digits > 3 ? 999 : 0);
        return true;
      } catch (const Error&) {
        return false;
      }
    }
    default:
      return false;
  }
}

bool Less(const Literal& a, const Literal& b) { return a < b; }  // same alternative here

}  // namespace

std::vector<iceberg::ScanRequest::Range> IcebergRanges(std::string_view sql,
                                                       const iceberg::Schema& schema) {
  std::vector<SqlToken> t = TokenizeSql(sql);
  auto is_word = [&](size_t i, std::string_view w) {
    return i < t.size() && t[i].kind == SqlToken::kWord && AsciiLower(t[i].text) == w;
  };
  auto is_symbol = [&](size_t i, std::string_view c) {
    return i < t.size() && t[i].kind == SqlToken::kSymbol && t[i].text == c;
  };
  int selects = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != SqlToken::kWord) continue;
    std::string w = AsciiLower(t[i].text);
    if (w == "select") ++selects;
    if (w == "not" && i > 0 && is_word(i - 1, "is")) continue;  // IS NOT NULL is harmless
    if (w == "or" || w == "not" || w == "join" || w == "union" || w == "except" ||
        w == "intersect" || w == "with" || w == "exists" || w == "using") {
      return {};
    }
  }
  if (selects != 1) return {};
  size_t where = 0;
  while (where < t.size() && !is_word(where, "where")) ++where;
  if (where == t.size()) return {};
  for (size_t i = 0; i < where; ++i) {
    if (is_word(i, "from")) {
      for (size_t j = i; j < where; ++j) {
        if (is_symbol(j, ",")) return {};
      }
    }
  }
  size_t end = where + 1;
  int depth = 0;
  while (end < t.size()) {
    if (is_symbol(end, "(")) ++depth;
    if (is_symbol(end, ")")) --depth;
    if (depth == 0 && (is_word(end, "group") || is_word(end, "order") || is_word(end, "limit") ||
                       is_word(end, "having") || is_word(end, "qualify") ||
                       is_word(end, "window") || is_word(end, "offset"))) {
      break;
    }
    ++end;
  }
  auto literal = [&](size_t i, Written* out) -> size_t {
    if (i >= end) return 0;
    if (t[i].kind == SqlToken::kString) {
      *out = {Written::kString, t[i].text};
      return 1;
    }
    if (t[i].kind == SqlToken::kNumber) {
      *out = {Written::kNumber, t[i].text};
      return 1;
    }
    if (is_symbol(i, "-") && i + 1 < end && t[i + 1].kind == SqlToken::kNumber) {
      *out = {Written::kNumber, "-" + t[i + 1].text};
      return 2;
    }
    if ((is_word(i, "date") || is_word(i, "timestamp")) && i + 1 < end &&
        t[i + 1].kind == SqlToken::kString) {
      *out = {is_word(i, "date") ? Written::kDate : Written::kTimestamp, t[i + 1].text};
      return 2;
    }
    return 0;
  };
  auto column = [&](size_t i, const iceberg::NestedField** field) -> size_t {
    size_t n = 0;
    if (i + 2 < end && (t[i].kind == SqlToken::kWord || t[i].kind == SqlToken::kQuotedIdent) &&
        is_symbol(i + 1, ".")) {
      n = 2;
      i += 2;
    }
    if (i >= end || (t[i].kind != SqlToken::kWord && t[i].kind != SqlToken::kQuotedIdent)) return 0;
    *field = schema.FindByName(t[i].text);
    return *field ? n + 1 : 0;
  };
  // Comparison operator at i: its length in tokens (0 = none) and which one.
  enum class Op { kEq, kLess, kGreater };
  auto op = [&](size_t i, Op* which) -> size_t {
    if (is_symbol(i, "=")) {
      *which = Op::kEq;
      return 1;
    }
    if (!is_symbol(i, "<") && !is_symbol(i, ">")) return 0;
    *which = is_symbol(i, "<") ? Op::kLess : Op::kGreater;
    if (is_symbol(i + 1, "=") && t[i + 1].begin == t[i].end) return 2;
    if (is_symbol(i + 1, ">") || is_symbol(i + 1, "<")) return 0;  // <>
    return 1;
  };
  std::vector<iceberg::ScanRequest::Range> ranges;
  auto add = [&](const iceberg::NestedField& f, std::optional<Literal> lower,
                 std::optional<Literal> upper) {
    ranges.push_back({f.id, lower ? *lower : Literal{}, upper ? *upper : Literal{}});
  };
  size_t i = where + 1;
  while (i < end) {
    // The conjunct's extent: up to the next top-level AND (BETWEEN's own AND excluded).
    size_t stop = i;
    int level = 0;
    bool between = false;
    while (stop < end) {
      if (is_symbol(stop, "(")) ++level;
      if (is_symbol(stop, ")")) --level;
      if (level == 0 && is_word(stop, "between")) between = true;
      if (level == 0 && is_word(stop, "and")) {
        if (!between) break;
        between = false;
      }
      ++stop;
    }
    const iceberg::NestedField* field = nullptr;
    Op which = Op::kEq;
    Written a, b;
    Literal lo, hi, lo2, hi2;
    size_t n = 0, m = 0, k = 0;
    if ((n = column(i, &field)) && (m = op(i + n, &which)) && (k = literal(i + n + m, &a)) &&
        i + n + m + k == stop) {
      if (Convert(a, field->type, &lo, &hi)) {
        if (which == Op::kEq) add(*field, lo, hi);
        if (which == Op::kLess) add(*field, std::nullopt, hi);
        if (which == Op::kGreater) add(*field, lo, std::nullopt);
      }
    } else if ((k = literal(i, &a)) && (m = op(i + k, &which)) && (n = column(i + k + m, &field)) &&
               i + k + m + n == stop) {
      if (Convert(a, field->type, &lo, &hi)) {  // literal OP col: the mirror image
        if (which == Op::kEq) add(*field, lo, hi);
        if (which == Op::kGreater) add(*field, std::nullopt, hi);
        if (which == Op::kLess) add(*field, lo, std::nullopt);
      }
    } else if ((n = column(i, &field)) && is_word(i + n, "between") &&
               (k = literal(i + n + 1, &a)) && is_word(i + n + 1 + k, "and") &&
               (m = literal(i + n + 2 + k, &b)) && i + n + 2 + k + m == stop) {
      if (Convert(a, field->type, &lo, &hi) && Convert(b, field->type, &lo2, &hi2)) {
        add(*field, lo, hi2);
      }
    } else if ((n = column(i, &field)) && is_word(i + n, "in") && is_symbol(i + n + 1, "(")) {
      size_t j = i + n + 2;
      std::optional<Literal> min, max;
      bool ok = true;
      while (ok) {
        if (!(k = literal(j, &a)) || !Convert(a, field->type, &lo, &hi)) {
          ok = false;
          break;
        }
        if (!min || Less(lo, *min)) min = lo;
        if (!max || Less(*max, hi)) max = hi;
        j += k;
        if (is_symbol(j, ",")) {
          ++j;
          continue;
        }
        break;
      }
      if (ok && is_symbol(j, ")") && j + 1 == stop) add(*field, min, max);
    }
    i = stop + 1;
  }
  return ranges;
}

}  // namespace ticklake::query
