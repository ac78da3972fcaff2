// Lexical helpers over SQL text, used before DuckDB sees a statement: splitting a script into
// statements, finding the identifiers a statement mentions (to know which catalog tables to
// expose), quoting the reserved word `default` when used as a database name (Athena's default
// database), and recognising CREATE TABLE ... AS SELECT (CTAS), which ticklake runs itself.
// Quotes ('...', "..."), comments (-- and /* */) are respected; nothing here parses SQL fully.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::query {

// Statements of a script, trimmed, without their terminating ';'; empty statements dropped.
std::vector<std::string> SplitStatements(std::string_view script);

// Every identifier in the text (bare ones lower-cased, quoted ones as written), strings and
// comments skipped.
std::set<std::string> Identifiers(std::string_view sql);

// Rewrites a bare `default.` (DuckDB rejects the keyword there) into `"default".`.
std::string QuoteDefaultDatabase(std::string_view sql);

struct Ctas {
  std::string database;  // empty when the name was not qualified
  std::string table;     // lower-cased unless quoted
  bool if_not_exists = false;
  std::string select;  // the query after AS
};
std::optional<Ctas> ParseCtas(std::string_view sql);

// Partition pruning: for a statement of the plain shape SELECT ... FROM t WHERE c1 AND c2 ...,
// the values each partition key in `keys` is restricted to by conjuncts `key = literal`,
// `literal = key` or `key IN (literals)`, each value written "s:text" for a string literal (also
// DATE 'text') and "n:123" for a number. Conservative: any
// OR, NOT, subquery, join, set operation or CTE yields no restriction, so pruning a file by
// this result never changes the answer.
std::map<std::string, std::set<std::string>> PartitionEqualities(std::string_view sql,
                                                                 const std::set<std::string>& keys);

// True when the statement is only whitespace and comments.
bool IsBlank(std::string_view sql);

// The lexer behind the helpers above, for other rewrites (time travel, Iceberg pruning): words
// (as written), quoted identifiers and strings (unquoted, doubled quotes collapsed), numbers and
// one-character symbols, with their byte range in the text; comments and whitespace dropped.
struct SqlToken {
  enum Kind { kWord, kQuotedIdent, kString, kNumber, kSymbol } kind;
  std::string text;
  size_t begin, end;
};
std::vector<SqlToken> TokenizeSql(std::string_view sql);

}  // namespace ticklake::query
