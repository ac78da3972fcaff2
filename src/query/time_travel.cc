#include "query/time_travel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <set>

#include "common/duckdb.h"
#include "common/error.h"
#include "common/strings.h"
#include "query/sql_text.h"

namespace ticklake::query {
namespace {

// Words after a table reference that are not an alias.
const std::set<std::string>& NotAliases() {
  static const std::set<std::string> words = {
      "where",  "group",     "order",       "limit",   "join",     "inner",  "left",
      "right",  "full",      "cross",       "natural", "on",       "using",  "union",
      "except", "intersect", "having",      "qualify", "window",   "offset", "for",
      "pivot",  "unpivot",   "positional",  "anti",    "semi",     "asof",   "lateral",
      "outer",  "sample",    "tablesample", "fetch",   "returning"};
  return words;
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

int64_t ParseUtcTimestampMs(std::string_view text) {
  auto bad = [&]() -> int64_t {
    Fail(
        "invalid timestamp '{}' (expected 'YYYY-MM-DD[ HH:MM[:SS[.fff]]]' in UTC, or with a zone "
        "such as ' UTC', 'Z' or '+01:00')",
        text);
  };
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !Digits(s.substr(0, 4)) ||
      !Digits(s.substr(5, 2)) || !Digits(s.substr(8, 2))) {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = ToInt(s.substr(0, 4)) - 1900;
  tm.tm_mon = ToInt(s.substr(5, 2)) - 1;
  tm.tm_mday = ToInt(s.substr(8, 2));
  int64_t millis = 0;
  size_t i = 10;
  if (i < s.size() && (s[i] == ' ' || s[i] == 'T') && i + 6 <= s.size() && s[i + 3] == ':' &&
      Digits(s.substr(i + 1, 2)) && Digits(s.substr(i + 4, 2))) {
    tm.tm_hour = ToInt(s.substr(i + 1, 2));
    tm.tm_min = ToInt(s.substr(i + 4, 2));
    i += 6;
    if (i + 3 <= s.size() && s[i] == ':' && Digits(s.substr(i + 1, 2))) {
      tm.tm_sec = ToInt(s.substr(i + 1, 2));
      i += 3;
      if (i < s.size() && s[i] == '.') {
        size_t start = ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        std::string frac(s.substr(start, i - start));
        if (frac.empty()) return bad();
        frac = (frac + "000").substr(0, 3);
        millis = ToInt(frac);
      }
    }
  }
  // Zone: none, " UTC", "Z", "+HH", "+HH:MM", "+HHMM" (also after a space).
  std::string_view zone = s.substr(i);
  while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
  int64_t offset_minutes = 0;
  if (zone.empty() || zone == "Z" || EqualsIgnoreAsciiCase(zone, "UTC") ||
      EqualsIgnoreAsciiCase(zone, "GMT")) {
    offset_minutes = 0;
  } else if (zone[0] == '+' || zone[0] == '-') {
    std::string digits;
    for (char c : zone.substr(1)) {
      if (c != ':') digits.push_back(c);
    }
    if (!Digits(digits) || (digits.size() != 2 && digits.size() != 4)) return bad();
    offset_minutes = ToInt(std::string_view(digits).substr(0, 2)) * 60 +
                     (digits.size() == 4 ? ToInt(std::string_view(digits).substr(2, 2)) : 0);
    if (zone[0] == '-') offset_minutes = -offset_minutes;
  } else {
    return bad();
  }
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  int mday = tm.tm_mday, mon = tm.tm_mon;
  time_t seconds = timegm(&tm);
  if (tm.tm_mday != mday || tm.tm_mon != mon) return bad();  // 2026-02-30 normalised away
  return (static_cast<int64_t>(seconds) - offset_minutes * 60) * 1000 + millis;
}

TimeTravelStatement RewriteTimeTravel(std::string_view sql) {
  std::vector<SqlToken> t = TokenizeSql(sql);
  auto word = [&](size_t i, std::string_view w) {
    return i < t.size() && t[i].kind == SqlToken::kWord && AsciiLower(t[i].text) == w;
  };
  auto symbol = [&](size_t i, std::string_view c) {
    return i < t.size() && t[i].kind == SqlToken::kSymbol && t[i].text == c;
  };
  auto name = [&](size_t i) -> std::optional<std::string> {
    if (i >= t.size()) return std::nullopt;
    if (t[i].kind == SqlToken::kWord) return AsciiLower(t[i].text);
    if (t[i].kind == SqlToken::kQuotedIdent) return t[i].text;
    return std::nullopt;
  };
  TimeTravelStatement out;
  size_t copied = 0;
  for (size_t i = 1; i < t.size(); ++i) {
    if (!word(i, "for")) continue;
    bool by_version = word(i + 1, "version") || word(i + 1, "system_version");
    bool by_time = word(i + 1, "timestamp") || word(i + 1, "system_time");
    if ((!by_version && !by_time) || !word(i + 2, "as") || !word(i + 3, "of")) continue;
    // The table reference before FOR: name, or qualifier.name.
    TimeTravelRef ref;
    size_t first = i - 1;
    auto table = name(first);
    if (!table) Fail("FOR {} AS OF must follow a table name", AsciiLower(t[i + 1].text));
    ref.table = *table;
    if (first >= 2 && symbol(first - 1, ".") && name(first - 2)) {
      ref.database = *name(first - 2);
      first -= 2;
    }
    std::string clause = fmt::format("FOR {} AS OF", by_version ? "VERSION" : "TIMESTAMP");
    size_t v = i + 4;
    size_t last = v;  // last token of the clause
    if (by_version) {
      bool negative = symbol(v, "-");
      size_t n = negative ? v + 1 : v;
      if (n >= t.size() || t[n].kind != SqlToken::kNumber || !Digits(t[n].text)) {
        Fail("{} needs a snapshot id (a whole number, see `ticklake catalog snapshots {}`)", clause,
             ref.table);
      }
      int64_t id = 0;
      auto [ptr, ec] = std::from_chars(t[n].text.data(), t[n].text.data() + t[n].text.size(), id);
      if (ec != std::errc()) Fail("{} {}: not a snapshot id", clause, t[n].text);
      ref.snapshot_id = negative ? -id : id;
      last = n;
      ref.view = fmt::format("{}{}@v{}", ref.database.empty() ? "" : ref.database + ".", ref.table,
                             *ref.snapshot_id);
    } else {
      size_t n = v;
      if (word(n, "timestamp")) {
        ++n;
        if (word(n, "with") && word(n + 1, "time") && word(n + 2, "zone")) n += 3;
      }
      if (n >= t.size() || t[n].kind != SqlToken::kString) {
        Fail("{} needs a timestamp literal, e.g. TIMESTAMP '2026-11-29 10:00:00' (UTC)", clause);
      }
      ref.as_of_ms = ParseUtcTimestampMs(t[n].text);
      last = n;
      ref.view = fmt::format("{}{}@t{}", ref.database.empty() ? "" : ref.database + ".", ref.table,
                             *ref.as_of_ms);
    }
    // Keep `t.col` working: alias the view with the table's name unless an alias follows.
    bool has_alias = word(last + 1, "as") ||
                     (last + 1 < t.size() && t[last + 1].kind == SqlToken::kQuotedIdent) ||
                     (last + 1 < t.size() && t[last + 1].kind == SqlToken::kWord &&
                      !NotAliases().count(AsciiLower(t[last + 1].text)));
    std::string before(sql.substr(copied, t[first].begin - copied));
    std::string view =
        duck::QuoteIdentifier(kTimeTravelSchema) + "." + duck::QuoteIdentifier(ref.view);
    out.sql += before + view;
    out.unaliased_sql += before + view;
    if (!has_alias) out.sql += " AS " + duck::QuoteIdentifier(ref.table);
    copied = t[last].end;
    out.refs.push_back(std::move(ref));
    i = last;
  }
  out.sql.append(sql.substr(copied));
  out.unaliased_sql.append(sql.substr(copied));
  return out;
}

}  // namespace ticklake::query
