// Formatting query results for people and programs:
//   table     aligned columns with a header rule, numbers right-aligned, NULL shown as NULL
//   csv       RFC 4180 (header line; quotes where needed; NULL is an empty field)
//   json      JSON Lines: one object per row, numbers and booleans unquoted, NULL as null
//   markdown  a GitHub table
// max_rows limits the rows shown (0 = all); table and markdown then say how many were left out.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "query/query_result.h"

namespace ticklake::query {

enum class OutputFormat { kTable, kCsv, kJson, kMarkdown };

// Throws Error for an unknown name.
OutputFormat ParseOutputFormat(std::string_view name);

std::string FormatResult(const QueryResult& result, OutputFormat format, size_t max_rows = 0);

// One CSV field, quoted when it holds a comma, quote, CR or LF (or leading/trailing space).
std::string CsvField(std::string_view value);

// Appends the result's columns as JSON: [{"name": ..., "type": ...}, ...].
void AppendColumnsJson(std::string& out, const QueryResult& result);

}  // namespace ticklake::query
