// CsvReader: an RFC 4180 CSV parser over an in-memory buffer, built for replaying data sets that
// other tools wrote (Python's csv module, pandas, DuckDB COPY, spreadsheets).
//
// Contract:
//  - The first record is the header; a UTF-8 byte-order mark before it is skipped.
//  - Records end at LF or CRLF outside quotes; quoted fields may hold commas, quotes ("") and
//    line breaks. Blank lines are skipped. There is no limit on the length of a line.
//  - A malformed record (wrong field count, unterminated quote, text after a closing quote,
//    invalid UTF-8) is returned as a value with its 1-based starting line number and a reason, so
//    the caller decides whether to skip it or stop; parsing resumes with the next record. An
//    unterminated quote resumes at the line after the one where the record started, so one stray
//    quote does not swallow the rest of the file.
//  - A malformed header throws Error (nothing sensible can follow it).
//
// Field typing (CsvField::kind, used when rendering rows as JSON):
//  - unquoted empty field          -> null          (how pandas and DuckDB write missing values)
//  - quoted field ("", "42", "x")  -> string        (the writer marked it as text)
//  - unquoted text that matches the JSON number grammar exactly (42, -0.5, 1e5, 1.5E-3)
//                                  -> number, written verbatim (no float round trip)
//  - anything else (007, +5, .5, NaN, inf, true, 0x1F) -> string, as it is.
//
// Thread-safety: a CsvReader is used by one thread at a time; the buffer must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::market {

struct CsvField {
  enum Kind { kNull, kNumber, kString };
  Kind kind = kNull;
  std::string value;  // unescaped text
};

struct CsvRecord {
  int64_t line = 0;  // 1-based physical line where the record starts
  std::vector<CsvField> fields;
  std::string error;  // empty when the record is well-formed
  bool ok() const { return error.empty(); }
};

class CsvReader {
 public:
  // Parses the header at once; throws Error (naming `source_name`) if it is missing or malformed.
  CsvReader(std::string_view data, std::string source_name);

  const std::vector<std::string>& header() const { return header_; }

  // Reads the next record into `out`; returns false at end of input. `out.error` is set for a
  // malformed record (its fields are then unspecified).
  bool Next(CsvRecord& out);

 private:
  // Parses one record starting at pos_; returns false at end of input.
  bool ParseRecord(CsvRecord& out);

  std::string_view data_;
  std::string source_name_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  std::vector<std::string> header_;
};

// Classifies an unquoted field: null when empty, number when it matches the JSON number grammar.
CsvField::Kind ClassifyUnquoted(std::string_view text);
bool IsJsonNumber(std::string_view text);
bool IsValidUtf8(std::string_view text);

// Appends the record as one JSON object {"header[0]": value, ...} to `out`.
void AppendRecordJson(std::string& out, const std::vector<std::string>& header,
                      const std::vector<CsvField>& fields);

}  // namespace ticklake::market
