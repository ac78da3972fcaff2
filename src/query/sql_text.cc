#include "query/sql_text.h"

#include <cctype>

#include "common/strings.h"

namespace ticklake::query {
namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

using Token = SqlToken;

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else if (c == '\'' || c == '"') {
      size_t start = i++;
      std::string text;
      while (i < s.size()) {
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {
            text.push_back(c);
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        text.push_back(s[i++]);
      }
      out.push_back({c == '"' ? Token::kQuotedIdent : Token::kString, text, start, i});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      out.push_back({Token::kNumber, std::string(s.substr(start, i - start)), start, i});
    } else if (IdentStart(c)) {
      size_t start = i;
      while (i < s.size() && IdentChar(s[i])) ++i;
      out.push_back({Token::kWord, std::string(s.substr(start, i - start)), start, i});
    } else {
      out.push_back({Token::kSymbol, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view script) {
  std::vector<std::string> out;
  size_t start = 0;
  for (const Token& t : Tokenize(script)) {
    if (t.kind == Token::kSymbol && t.text == ";") {
      std::string stmt = Trim(script.substr(start, t.begin - start));
      if (!IsBlank(stmt)) out.push_back(std::move(stmt));
      start = t.end;
    }
  }
  std::string last = Trim(script.substr(start));
  if (!IsBlank(last)) out.push_back(std::move(last));
  return out;
}

bool IsBlank(std::string_view sql) { return Tokenize(sql).empty(); }

std::vector<SqlToken> TokenizeSql(std::string_view sql) { return Tokenize(sql); }

std::set<std::string> Identifiers(std::string_view sql) {
  std::set<std::string> out;
  for (const Token& t : Tokenize(sql)) {
    if (t.kind == Token::kWord) out.insert(AsciiLower(t.text));
    if (t.kind == Token::kQuotedIdent) out.insert(t.text);
  }
  return out;
}

std::string QuoteDefaultDatabase(std::string_view sql) {
  std::vector<Token> tokens = Tokenize(sql);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::kWord && AsciiLower(t.text) == "default" &&
        tokens[i + 1].kind == Token::kSymbol && tokens[i + 1].text == "." &&
        tokens[i + 1].begin == t.end) {
      out.append(sql.substr(copied, t.begin - copied));
      out += "\"default\"";
      copied = t.end;
    }
  }
  out.append(sql.substr(copied));
  return out;
}

std::optional<Ctas> ParseCtas(std::string_view sql) {
  std::vector<Token> t = Tokenize(sql);
  auto word = [&](size_t i, const char* w) {
    return i < t.size() && t[i].kind == Token::kWord && AsciiLower(t[i].text) == w;
  };
  auto name = [&](size_t i) -> std::optional<std::string> {
    if (i >= t.size()) return std::nullopt;
    if (t[i].kind == Token::kWord) return AsciiLower(t[i].text);
    if (t[i].kind == Token::kQuotedIdent) return t[i].text;
    return std::nullopt;
  };
  size_t i = 0;
  if (!word(i++, "create")) return std::nullopt;
  if (word(i, "external")) return std::nullopt;
  if (!word(i++, "table")) return std::nullopt;
  Ctas ctas;
  if (word(i, "if") && word(i + 1, "not") && word(i + 2, "exists")) {
    ctas.if_not_exists = true;
    i += 3;
  }
  auto first = name(i++);
  if (!first) return std::nullopt;
  if (i < t.size() && t[i].kind == Token::kSymbol && t[i].text == ".") {
    auto second = name(i + 1);
    if (!second) return std::nullopt;
    ctas.database = *first;
    ctas.table = *second;
    i += 2;
  } else {
    ctas.table = *first;
  }
  // Athena allows WITH (format='PARQUET', ...) before AS; the lake format is always Parquet here.
  if (word(i, "with") && i + 1 < t.size() && t[i + 1].text == "(") {
    int depth = 0;
    for (++i; i < t.size(); ++i) {
      if (t[i].kind == Token::kSymbol && t[i].text == "(") ++depth;
      if (t[i].kind == Token::kSymbol && t[i].text == ")" && --depth == 0) {
        ++i;
        break;
      }
    }
  }
  if (!word(i, "as") || i + 1 >= t.size()) return std::nullopt;
  ctas.select = Trim(sql.substr(t[i + 1].begin));
  return ctas;
}

std::map<std::string, std::set<std::string>> PartitionEqualities(
    std::string_view sql, const std::set<std::string>& keys) {
  std::vector<Token> t = Tokenize(sql);
  auto is_word = [&](size_t i, std::string_view w) {
    return i < t.size() && t[i].kind == Token::kWord && AsciiLower(t[i].text) == w;
  };
  auto is_symbol = [&](size_t i, std::string_view c) {
    return i < t.size() && t[i].kind == Token::kSymbol && t[i].text == c;
  };
  // Only the plain shape SELECT ... FROM one_table WHERE a AND b ... is analysed; anything that
  // could make a predicate not apply to every row read (OR, NOT, subqueries, joins, set
  // operations, CTEs) turns pruning off.
  int selects = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != Token::kWord) continue;
    std::string w = AsciiLower(t[i].text);
    if (w == "select") ++selects;
    if (w == "or" || w == "not" || w == "join" || w == "union" || w == "except" ||
        w == "intersect" || w == "with" || w == "exists" || w == "between" || w == "using") {
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
        if (is_symbol(j, ",")) return {};  // FROM a, b
      }
    }
  }
  size_t end = where + 1;
  while (end < t.size() && !is_word(end, "group") && !is_word(end, "order") &&
         !is_word(end, "limit") && !is_word(end, "having") && !is_word(end, "qualify") &&
         !is_word(end, "window") && !is_word(end, "offset")) {
    ++end;
  }
  // Literal at i: 'text', 123, DATE 'yyyy-mm-dd'; returns the token count used (0 = none).
  auto literal = [&](size_t i, std::string* value) -> size_t {
    if (i < end && (t[i].kind == Token::kString || t[i].kind == Token::kNumber)) {
      *value = (t[i].kind == Token::kString ? "s:" : "n:") + t[i].text;
      return 1;
    }
    if (is_word(i, "date") && i + 1 < end && t[i + 1].kind == Token::kString) {
      *value = "s:" + t[i + 1].text;
      return 2;
    }
    return 0;
  };
  // Column at i: key, "key", alias.key; returns the token count used.
  auto column = [&](size_t i, std::string* name) -> size_t {
    size_t n = 0;
    if (i + 2 < end && (t[i].kind == Token::kWord || t[i].kind == Token::kQuotedIdent) &&
        is_symbol(i + 1, ".")) {
      n = 2;
      i += 2;
    }
    if (i >= end) return 0;
    if (t[i].kind == Token::kWord) {
      *name = AsciiLower(t[i].text);
    } else if (t[i].kind == Token::kQuotedIdent) {
      *name = t[i].text;
    } else {
      return 0;
    }
    return keys.count(*name) ? n + 1 : 0;
  };
  std::map<std::string, std::set<std::string>> out;
  size_t i = where + 1;
  while (i < end) {
    size_t conjunct_end = i;
    while (conjunct_end < end && !is_word(conjunct_end, "and")) ++conjunct_end;
    std::string name, value;
    std::set<std::string> values;
    size_t n = 0;
    bool matched = false;
    if ((n = column(i, &name)) && is_symbol(i + n, "=")) {
      size_t m = literal(i + n + 1, &value);
      matched = m && i + n + 1 + m == conjunct_end;
      values.insert(value);
    } else if ((n = column(i, &name)) && is_word(i + n, "in") && is_symbol(i + n + 1, "(")) {
      size_t j = i + n + 2;
      while (true) {
        size_t m = literal(j, &value);
        if (!m) break;
        values.insert(value);
        j += m;
        if (is_symbol(j, ",")) {
          ++j;
          continue;
        }
        matched = is_symbol(j, ")") && j + 1 == conjunct_end;
        break;
      }
    } else if (size_t m = literal(i, &value); m && is_symbol(i + m, "=")) {
      n = column(i + m + 1, &name);
      matched = n && i + m + 1 + n == conjunct_end;
      values.insert(value);
    }
    if (matched) {
      auto it = out.find(name);
      if (it == out.end()) {
        out[name] = values;
      } else {  // a = 'x' AND a IN ('x', 'y'): both must hold
        std::set<std::string> both;
        for (const auto& v : values) {
          if (it->second.count(v)) both.insert(v);
        }
        it->second = both;
      }
    }
    i = conjunct_end + 1;
  }
  return out;
}

}  // namespace ticklake::query
