#include "query/result_format.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::query {
namespace {

bool IsNumericType(const std::string& type) {
  static const char* kNumeric[] = {"TINYINT",  "SMALLINT",  "INTEGER",  "BIGINT",  "HUGEINT",
                                   "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
                                   "FLOAT",    "DOUBLE",    "DECIMAL"};
  for (const char* n : kNumeric) {
    if (type.starts_with(n)) return true;
  }
  return false;
}

// Display width in code points (UTF-8 continuation bytes do not count).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Pad(std::string_view s, size_t width, bool right) {
  size_t w = Width(s);
  std::string pad(width > w ? width - w : 0, ' ');
  return right ? pad + std::string(s) : std::string(s) + pad;
}

// Tabs and newlines would break the alignment: show them escaped.
std::string Cell(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string out;
  for (char c : *v) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string MoreRows(size_t shown, size_t total) {
  if (shown >= total) return fmt::format("({} row{})\n", total, total == 1 ? "" : "s");
  return fmt::format("({} rows, {} shown; use --max-rows to see more)\n", total, shown);
}

}  // namespace

OutputFormat ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "markdown" || name == "md") return OutputFormat::kMarkdown;
  Fail("unknown output format '{}' (table, csv, json, markdown)", name);
}

std::string CsvField(std::string_view value) {
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string FormatResult(const QueryResult& r, OutputFormat format, size_t max_rows) {
  size_t kept = r.rows.size();
  size_t total = std::max(kept, static_cast<size_t>(std::max<int64_t>(r.total_rows, 0)));
  size_t shown = max_rows == 0 ? kept : std::min(kept, max_rows);
  size_t ncols = r.column_names.size();
  std::vector<bool> numeric(ncols);
  for (size_t c = 0; c < ncols; ++c) {
    numeric[c] = c < r.column_types.size() && IsNumericType(r.column_types[c]);
  }
  std::string out;
  switch (format) {
    case OutputFormat::kCsv: {
      for (size_t c = 0; c < ncols; ++c) out += (c ? "," : "") + CsvField(r.column_names[c]);
      out += "\n";
      for (size_t i = 0; i < shown; ++i) {
        for (size_t c = 0; c < ncols; ++c) {
          if (c) out += ",";
          if (r.rows[i][c]) out += CsvField(*r.rows[i][c]);
        }
        out += "\n";
      }
      return out;
    }
    case OutputFormat::kJson: {
      for (size_t i = 0; i < shown; ++i) {
        out += "{";
        for (size_t c = 0; c < ncols; ++c) {
          if (c) out += ",";
          AppendJsonString(out, r.column_names[c]);
          out += ":";
          const auto& v = r.rows[i][c];
          bool boolean = c < r.column_types.size() &&
                         (r.column_types[c] == "BOOLEAN" || r.column_types[c] == "JSON");
          if (!v) {
            out += "null";
          } else if ((numeric[c] && *v != "nan" && *v != "inf" && *v != "-inf") || boolean) {
            out += *v;
          } else {
            AppendJsonString(out, *v);
          }
        }
        out += "}\n";
      }
      return out;
    }
    case OutputFormat::kMarkdown: {
      auto escape = [](std::string s) {
        std::string o;
        for (char ch : s) {
          if (ch == '|') o += "\\";
          o.push_back(ch);
        }
        return o;
      };
      out += "|";
      for (size_t c = 0; c < ncols; ++c) out += " " + escape(r.column_names[c]) + " |";
      out += "\n|";
      for (size_t c = 0; c < ncols; ++c) out += numeric[c] ? " ---: |" : " --- |";
      out += "\n";
      for (size_t i = 0; i < shown; ++i) {
        out += "|";
        for (size_t c = 0; c < ncols; ++c) out += " " + escape(Cell(r.rows[i][c])) + " |";
        out += "\n";
      }
      if (shown < total) out += "\n" + MoreRows(shown, total);
      return out;
    }
    case OutputFormat::kTable: {
      std::vector<size_t> width(ncols);
      std::vector<std::vector<std::string>> cells(shown, std::vector<std::string>(ncols));
      for (size_t c = 0; c < ncols; ++c) width[c] = Width(r.column_names[c]);
      for (size_t i = 0; i < shown; ++i) {
        for (size_t c = 0; c < ncols; ++c) {
          cells[i][c] = Cell(r.rows[i][c]);
          width[c] = std::max(width[c], Width(cells[i][c]));
        }
      }
      for (size_t c = 0; c < ncols; ++c) {
        out += (c ? " | " : "") + Pad(r.column_names[c], width[c], numeric[c]);
      }
      out += "\n";
      for (size_t c = 0; c < ncols; ++c) out += (c ? "-+-" : "") + std::string(width[c], '-');
      out += "\n";
      for (size_t i = 0; i < shown; ++i) {
        std::string line;
        for (size_t c = 0; c < ncols; ++c) {
          line += (c ? " | " : "") + Pad(cells[i][c], width[c], numeric[c]);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
      }
      out += MoreRows(shown, total);
      return out;
    }
  }
  return out;
}

void AppendColumnsJson(std::string& out, const QueryResult& result) {
  out += '[';
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    out += c ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, result.column_names[c]);
    out += ",\"type\":";
    AppendJsonString(out, c < result.column_types.size() ? result.column_types[c] : "VARCHAR");
    out += '}';
  }
  out += ']';
}

}  // namespace ticklake::query
