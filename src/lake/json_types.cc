#include "lake/json_types.h"

namespace ticklake::lake {
namespace {

bool Digits(std::string_view s, size_t pos, size_t count, int* out) {
  if (pos + count > s.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  *out = value;
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day;
};

// The inverse of DaysFromCivil.
Civil CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (month <= 2), month, day};
}

void AppendDigits(std::string& out, int64_t value, int count) {
  char digits[20];
  for (int i = count - 1; i >= 0; --i, value /= 10) digits[i] = static_cast<char>('0' + value % 10);
  out.append(digits, static_cast<size_t>(count));
}

bool ValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

const char* SqlTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kBoolean:
      return "BOOLEAN";
    case ColumnType::kBigint:
      return "BIGINT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kDate:
      return "DATE";
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kVarchar:
      return "VARCHAR";
  }
  return "VARCHAR";
}

ColumnType ColumnEvidence::Resolve() const {
  bool numbers = integers || decimals;
  bool strings = dates || timestamps || other_strings;
  if (strings) {
    if (numbers || booleans || other_strings) return ColumnType::kVarchar;
    return timestamps ? ColumnType::kTimestamp : ColumnType::kDate;
  }
  if (booleans) return numbers ? ColumnType::kVarchar : ColumnType::kBoolean;
  if (decimals) return ColumnType::kDouble;
  if (integers) return ColumnType::kBigint;
  return ColumnType::kVarchar;
}

std::optional<int32_t> ParseIsoDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, &y) ||
      !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d) || !ValidDate(y, m, d)) {
    return std::nullopt;
  }
  return static_cast<int32_t>(DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
}

std::optional<int64_t> ParseIsoTimestamp(std::string_view s) {
  if (s.size() < 19) return std::nullopt;
  auto days = ParseIsoDate(s.substr(0, 10));
  int hh, mm, ss;
  if (!days || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' ||
      !Digits(s, 11, 2, &hh) || !Digits(s, 14, 2, &mm) || !Digits(s, 17, 2, &ss) || hh > 23 ||
      mm > 59 || ss > 60) {
    return std::nullopt;
  }
  int64_t micros = 0;
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int64_t offset_s = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om = 0;
      int sign = s[pos] == '-' ? -1 : 1;
      if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
      size_t next = pos + 3;
      if (next < s.size() && s[next] == ':') ++next;
      if (next < s.size() && !Digits(s, next, 2, &om)) return std::nullopt;
      if (next < s.size()) next += 2;
      if (next != s.size() || oh > 23 || om > 59) return std::nullopt;
      offset_s = sign * (oh * 3600 + om * 60);
      pos = next;
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  int64_t seconds = int64_t{*days} * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
  return seconds * 1'000'000 + micros;
}

void AppendIsoDate(std::string& out, int32_t days) {
  Civil date = CivilFromDays(days);
  AppendDigits(out, date.year, 4);
  out.push_back('-');
  AppendDigits(out, date.month, 2);
  out.push_back('-');
  AppendDigits(out, date.day, 2);
}

void AppendIsoTimestamp(std::string& out, int64_t micros) {
  constexpr int64_t kDay = 86'400'000'000;
  int64_t days = micros >= 0 ? micros / kDay : (micros - kDay + 1) / kDay;
  int64_t in_day = micros - days * kDay;
  AppendIsoDate(out, static_cast<int32_t>(days));
  out.push_back('T');
  AppendDigits(out, in_day / 3'600'000'000, 2);
  out.push_back(':');
  AppendDigits(out, in_day / 60'000'000 % 60, 2);
  out.push_back(':');
  AppendDigits(out, in_day / 1'000'000 % 60, 2);
  out.push_back('.');
  AppendDigits(out, in_day % 1'000'000, 6);
  out.push_back('Z');
}

std::optional<int64_t> ParseCanonicalTimestamp(std::string_view s) {
  if (s.size() != 27 || s[10] != 'T' || s[19] != '.' || s[26] != 'Z' || s.substr(17, 2) == "60")
    return std::nullopt;
  return ParseIsoTimestamp(s);
}

}  // namespace ticklake::lake
