#include "catalog/hive_type.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/duckdb.h"
#include "common/error.h"
#include "common/strings.h"

namespace ticklake::catalog {
namespace {

using Kind = HiveType::Kind;

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Splits `s` at top-level commas (not inside <>, () or quotes).
std::vector<std::string> SplitTopLevel(std::string_view s) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(s.substr(start)));
  return parts;
}

bool IsInteger(Kind k) {
  return k == Kind::kTinyInt || k == Kind::kSmallInt || k == Kind::kInt || k == Kind::kBigInt;
}
bool IsNumeric(Kind k) {
  return IsInteger(k) || k == Kind::kFloat || k == Kind::kDouble || k == Kind::kDecimal;
}

const std::map<std::string, Kind>& ScalarNames() {
  static const std::map<std::string, Kind> names = {
      {"boolean", Kind::kBoolean},     {"tinyint", Kind::kTinyInt},
      {"smallint", Kind::kSmallInt},   {"int", Kind::kInt},
      {"integer", Kind::kInt},         {"bigint", Kind::kBigInt},
      {"float", Kind::kFloat},         {"double", Kind::kDouble},
      {"string", Kind::kString},       {"varchar", Kind::kString},
      {"char", Kind::kString},         {"date", Kind::kDate},
      {"timestamp", Kind::kTimestamp}, {"binary", Kind::kBinary},
      {"void", Kind::kNull},
  };
  return names;
}

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

bool HiveType::operator==(const HiveType& other) const {
  return kind == other.kind && precision == other.precision && scale == other.scale &&
         children == other.children;
}

std::string HiveType::ToHive() const {
  switch (kind) {
    case Kind::kNull:
      return "void";
    case Kind::kString:
      return "string";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kTinyInt:
      return "tinyint";
    case Kind::kSmallInt:
      return "smallint";
    case Kind::kInt:
      return "int";
    case Kind::kBigInt:
      return "bigint";
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kDecimal:
      return fmt::format("decimal({},{})", precision, scale);
    case Kind::kDate:
      return "date";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kBinary:
      return "binary";
    case Kind::kArray:
      return "array<" + children.at(0).second.ToHive() + ">";
    case Kind::kMap:
      return "map<" + children.at(0).second.ToHive() + "," + children.at(1).second.ToHive() + ">";
    case Kind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ",";
        out += children[i].first + ":" + children[i].second.ToHive();
      }
      return out + ">";
    }
  }
  return "string";
}

std::string HiveType::ToDuckDB() const {
  switch (kind) {
    case Kind::kNull:
    case Kind::kString:
      return "VARCHAR";
    case Kind::kBoolean:
      return "BOOLEAN";
    case Kind::kTinyInt:
      return "TINYINT";
    case Kind::kSmallInt:
      return "SMALLINT";
    case Kind::kInt:
      return "INTEGER";
    case Kind::kBigInt:
      return "BIGINT";
    case Kind::kFloat:
      return "FLOAT";
    case Kind::kDouble:
      return "DOUBLE";
    case Kind::kDecimal:
      return fmt::format("DECIMAL({},{})", precision, scale);
    case Kind::kDate:
      return "DATE";
    case Kind::kTimestamp:
      return "TIMESTAMP";
    case Kind::kBinary:
      return "BLOB";
    case Kind::kArray:
      return children.at(0).second.ToDuckDB() + "[]";
    case Kind::kMap:
      return "MAP(" + children.at(0).second.ToDuckDB() + ", " + children.at(1).second.ToDuckDB() +
             ")";
    case Kind::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ", ";
        out += duck::QuoteIdentifier(children[i].first) + " " + children[i].second.ToDuckDB();
      }
      return out + ")";
    }
  }
  return "VARCHAR";
}

HiveType ParseHiveType(std::string_view text) {
  std::string t = Trim(text);
  std::string lower = AsciiLower(t);
  auto inner = [&](size_t open) -> std::string_view {
    if (t.back() != '>' && t.back() != ')') Fail("malformed Hive type '{}'", t);
    return std::string_view(t).substr(open + 1, t.size() - open - 2);
  };
  if (lower.starts_with("array<")) {
    HiveType out = HiveType::Of(Kind::kArray);
    out.children.emplace_back("", ParseHiveType(inner(5)));
    return out;
  }
  if (lower.starts_with("map<")) {
    auto parts = SplitTopLevel(inner(3));
    if (parts.size() != 2) Fail("malformed Hive type '{}'", t);
    HiveType out = HiveType::Of(Kind::kMap);
    out.children.emplace_back("", ParseHiveType(parts[0]));
    out.children.emplace_back("", ParseHiveType(parts[1]));
    return out;
  }
  if (lower.starts_with("struct<")) {
    HiveType out = HiveType::Of(Kind::kStruct);
    std::string_view body = inner(6);
    if (Trim(body).empty()) return out;
    for (const auto& field : SplitTopLevel(body)) {
      // The field name ends at the first ':' outside nested types (names never hold '<').
      size_t colon = field.find(':');
      if (colon == std::string::npos)
        Fail("malformed struct field '{}' in Hive type '{}'", field, t);
      out.children.emplace_back(Trim(std::string_view(field).substr(0, colon)),
                                ParseHiveType(std::string_view(field).substr(colon + 1)));
    }
    return out;
  }
  if (lower.starts_with("decimal")) {
    HiveType out = HiveType::Of(Kind::kDecimal);
    out.precision = 10;
    if (size_t open = t.find('('); open != std::string::npos) {
      auto parts = SplitTopLevel(inner(open));
      out.precision = std::stoi(parts.at(0));
      out.scale = parts.size() > 1 ? std::stoi(parts[1]) : 0;
    }
    return out;
  }
  std::string base = lower.substr(0, lower.find('('));  // varchar(10), char(3)
  auto it = ScalarNames().find(base);
  if (it == ScalarNames().end()) Fail("unknown Hive type '{}'", t);
  return HiveType::Of(it->second);
}

namespace {

// Recursive-descent parser over DuckDB's type syntax.
class DuckTypeParser {
 public:
  explicit DuckTypeParser(std::string_view text) : s_(text) {}

  HiveType ParseAll() {
    HiveType t = ParseType();
    SkipSpace();
    if (pos_ != s_.size()) Fail("unexpected '{}' in DuckDB type '{}'", s_.substr(pos_), s_);
    return t;
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail("expected '{}' at {} in DuckDB type '{}'", c, pos_, s_);
  }
  std::string Name() {
    SkipSpace();
    std::string out;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      ++pos_;
      while (pos_ < s_.size()) {
        if (s_[pos_] == '"') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
            out.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          return out;
        }
        out.push_back(s_[pos_++]);
      }
      Fail("unterminated name in DuckDB type '{}'", s_);
    }
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) {
      out.push_back(s_[pos_++]);
    }
    return out;
  }
  // Skips a balanced (...) group, for ENUM('a','b') and the like.
  void SkipGroup() {
    int depth = 0;
    bool quoted = false;
    for (; pos_ < s_.size(); ++pos_) {
      char c = s_[pos_];
      if (c == '\'') quoted = !quoted;
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) {
        ++pos_;
        return;
      }
    }
  }

  HiveType ParseType() {
    SkipSpace();
    // Base name: words separated by spaces ("TIMESTAMP WITH TIME ZONE", "DOUBLE PRECISION").
    std::string base = AsciiLower(Name());
    while (true) {
      size_t save = pos_;
      SkipSpace();
      if (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) {
        base += " " + AsciiLower(Name());
      } else {
        pos_ = save;
        break;
      }
    }
    HiveType t;
    if (base == "struct") {
      t = HiveType::Of(Kind::kStruct);
      Expect('(');
      if (!Eat(')')) {
        do {
          std::string field = Name();
          t.children.emplace_back(field, ParseType());
        } while (Eat(','));
        Expect(')');
      }
    } else if (base == "map") {
      t = HiveType::Of(Kind::kMap);
      Expect('(');
      t.children.emplace_back("", ParseType());
      Expect(',');
      t.children.emplace_back("", ParseType());
      Expect(')');
    } else if (base == "decimal" || base == "numeric") {
      t = HiveType::Of(Kind::kDecimal);
      t.precision = 18;
      t.scale = 3;
      if (Eat('(')) {
        size_t close = s_.find(')', pos_);
        auto parts = SplitTopLevel(s_.substr(pos_, close - pos_));
        t.precision = std::stoi(parts.at(0));
        t.scale = parts.size() > 1 ? std::stoi(parts[1]) : 0;
        pos_ = close + 1;
      }
    } else {
      static const std::map<std::string, Kind> kinds = {
          {"boolean", Kind::kBoolean},
          {"bool", Kind::kBoolean},
          {"tinyint", Kind::kTinyInt},
          {"smallint", Kind::kSmallInt},
          {"utinyint", Kind::kSmallInt},
          {"integer", Kind::kInt},
          {"int", Kind::kInt},
          {"usmallint", Kind::kInt},
          {"bigint", Kind::kBigInt},
          {"uinteger", Kind::kBigInt},
          {"ubigint", Kind::kBigInt},
          {"hugeint", Kind::kBigInt},
          {"uhugeint", Kind::kBigInt},
          {"float", Kind::kFloat},
          {"real", Kind::kFloat},
          {"double", Kind::kDouble},
          {"date", Kind::kDate},
          {"timestamp", Kind::kTimestamp},
          {"timestamp_s", Kind::kTimestamp},
          {"timestamp_ms", Kind::kTimestamp},
          {"timestamp_ns", Kind::kTimestamp},
          {"timestamp with time zone", Kind::kTimestamp},
          {"timestamptz", Kind::kTimestamp},
          {"blob", Kind::kBinary},
          {"null", Kind::kNull},
          {"double precision", Kind::kDouble},
      };
      auto it = kinds.find(base);
      t = HiveType::Of(it == kinds.end() ? Kind::kString : it->second);
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == '(') SkipGroup();  // VARCHAR(10), ENUM(...), UNION(...)
    }
    // Array suffixes: T[] or T[3].
    while (Eat('[')) {
      while (pos_ < s_.size() && s_[pos_] != ']') ++pos_;
      Expect(']');
      HiveType array = HiveType::Of(Kind::kArray);
      array.children.emplace_back("", std::move(t));
      t = std::move(array);
    }
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

int IntegerRank(Kind k) {
  switch (k) {
    case Kind::kTinyInt:
      return 1;
    case Kind::kSmallInt:
      return 2;
    case Kind::kInt:
      return 3;
    default:
      return 4;
  }
}

}  // namespace

HiveType FromDuckDBType(std::string_view text) { return DuckTypeParser(text).ParseAll(); }

HiveType Widen(const HiveType& a, const HiveType& b) {
  if (a.kind == Kind::kNull) return b;
  if (b.kind == Kind::kNull) return a;
  if (a.kind == b.kind) {
    switch (a.kind) {
      case Kind::kArray: {
        HiveType out = a;
        out.children[0].second = Widen(a.children[0].second, b.children[0].second);
        return out;
      }
      case Kind::kMap: {
        HiveType out = a;
        out.children[0].second = Widen(a.children[0].second, b.children[0].second);
        out.children[1].second = Widen(a.children[1].second, b.children[1].second);
        return out;
      }
      case Kind::kStruct: {
        HiveType out = a;
        for (const auto& [name, type] : b.children) {
          auto it = std::find_if(out.children.begin(), out.children.end(),
                                 [&](const auto& f) { return f.first == name; });
          if (it == out.children.end()) {
            out.children.emplace_back(name, type);
          } else {
            it->second = Widen(it->second, type);
          }
        }
        return out;
      }
      case Kind::kDecimal:
        if (a.precision == b.precision && a.scale == b.scale) return a;
        return HiveType::Of(Kind::kDouble);
      default:
        return a;
    }
  }
  if (IsInteger(a.kind) && IsInteger(b.kind)) {
    return IntegerRank(a.kind) >= IntegerRank(b.kind) ? a : b;
  }
  if (IsNumeric(a.kind) && IsNumeric(b.kind)) return HiveType::Of(Kind::kDouble);
  auto temporal = [](Kind k) { return k == Kind::kDate || k == Kind::kTimestamp; };
  if (temporal(a.kind) && temporal(b.kind)) return HiveType::Of(Kind::kTimestamp);
  return HiveType::Of(Kind::kString);
}

HiveType Finished(const HiveType& type) {
  if (type.kind == Kind::kNull) return HiveType::Of(Kind::kString);
  HiveType out = type;
  for (auto& [name, child] : out.children) child = Finished(child);
  return out;
}

std::string WidenTypes(std::string_view a, std::string_view b) {
  return Widen(ParseHiveType(a), ParseHiveType(b)).ToHive();
}

bool LooksLikeDate(std::string_view s) {
  return s.size() == 10 && Digits(s, 0, 4) && s[4] == '-' && Digits(s, 5, 2) && s[7] == '-' &&
         Digits(s, 8, 2) && s.substr(5, 2) >= "01" && s.substr(5, 2) <= "12" &&
         s.substr(8, 2) >= "01" && s.substr(8, 2) <= "31";
}

bool LooksLikeTimestamp(std::string_view s) {
  if (s.size() < 16 || !LooksLikeDate(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != ' ') return false;
  if (!Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2)) return false;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2)) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t digits = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos, ++digits;
      if (digits == 0) return false;
    }
  }
  if (pos == s.size()) return true;
  if (s[pos] == 'Z') return pos + 1 == s.size();
  if (s[pos] == '+' || s[pos] == '-') {
    std::string_view zone = s.substr(pos + 1);
    return (zone.size() == 2 && Digits(zone, 0, 2)) || (zone.size() == 4 && Digits(zone, 0, 4)) ||
           (zone.size() == 5 && Digits(zone, 0, 2) && zone[2] == ':' && Digits(zone, 3, 2));
  }
  return false;
}

}  // namespace ticklake::catalog
