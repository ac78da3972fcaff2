#include "market/csv_reader.h"

#include <algorithm>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::market {

CsvReader::CsvReader(std::string_view data, std::string source_name)
    : data_(data), source_name_(std::move(source_name)) {
  // Spreadsheet tools (Excel "CSV UTF-8") start the file with a byte-order mark.
  if (data_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  CsvRecord record;
  if (!ParseRecord(record)) Fail("{}: empty file, expected a header line", source_name_);
  if (!record.ok())
    Fail("{}: malformed header (line {}): {}", source_name_, record.line, record.error);
  for (auto& field : record.fields) header_.push_back(std::move(field.value));
}

bool CsvReader::Next(CsvRecord& out) {
  if (!ParseRecord(out)) return false;
  if (out.ok() && out.fields.size() != header_.size()) {
    out.error = "expected " + std::to_string(header_.size()) + " fields, got " +
                std::to_string(out.fields.size());
  }
  return true;
}

bool CsvReader::ParseRecord(CsvRecord& out) {
  const size_t size = data_.size();
  out.fields.clear();
  out.error.clear();
  // Blank lines separate nothing in CSV; pandas and DuckDB skip them too.
  while (pos_ < size) {
    if (data_[pos_] == '\n') {
      ++pos_;
      ++line_;
    } else if (data_[pos_] == '\r' && pos_ + 1 < size && data_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else {
      break;
    }
  }
  if (pos_ >= size) return false;
  const size_t record_start = pos_;
  const int64_t start_line = line_;
  out.line = start_line;

  // Skips to the line after the current position; used to resynchronise after an error.
  auto skip_line = [&](size_t from) {
    size_t nl = data_.find('\n', from);
    pos_ = nl == std::string_view::npos ? size : nl + 1;
    if (nl != std::string_view::npos) ++line_;
  };

  while (true) {
    out.fields.emplace_back();
    CsvField& field = out.fields.back();
    if (pos_ < size && data_[pos_] == '"') {
      field.kind = CsvField::kString;
      ++pos_;
      while (true) {
        size_t quote = data_.find('"', pos_);
        if (quote == std::string_view::npos) {
          out.error = "unterminated quoted field";
          // Resume right after the line where the record began: a stray quote then costs one
          // record instead of the rest of the file.
          line_ = start_line;
          skip_line(record_start);
          return true;
        }
        std::string_view chunk = data_.substr(pos_, quote - pos_);
        line_ += std::count(chunk.begin(), chunk.end(), '\n');
        field.value.append(chunk);
        pos_ = quote + 1;
        if (pos_ < size && data_[pos_] == '"') {  // "" is an escaped quote
          field.value.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < size && data_[pos_] != ',' && data_[pos_] != '\n' &&
          !(data_[pos_] == '\r' && pos_ + 1 < size && data_[pos_ + 1] == '\n')) {
        out.error = "unexpected character after closing quote in field " +
                    std::to_string(out.fields.size());
        skip_line(pos_);
        return true;
      }
    } else {
      size_t end = data_.find_first_of(",\n", pos_);
      if (end == std::string_view::npos) end = size;
      std::string_view text = data_.substr(pos_, end - pos_);
      if (end < size && data_[end] == '\n' && !text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
      }
      field.kind = ClassifyUnquoted(text);
      field.value.assign(text);
      pos_ = end;
    }
    if (pos_ >= size) break;
    if (data_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (data_[pos_] == '\r') ++pos_;  // CRLF after a quoted field
    ++pos_;                           // '\n'
    ++line_;
    break;
  }
  if (!IsValidUtf8(data_.substr(record_start, pos_ - record_start))) {
    out.error = "invalid UTF-8";
  }
  return true;
}

bool IsJsonNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

CsvField::Kind ClassifyUnquoted(std::string_view text) {
  if (text.empty()) return CsvField::kNull;
  return IsJsonNumber(text) ? CsvField::kNumber : CsvField::kString;
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    // Fast path for ASCII, the common case in market data.
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong 2-byte lead (C0/C1) or > U+10FFFF lead
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;  // overlong encoding, out of range, or a UTF-16 surrogate
    }
    i += len;
  }
  return true;
}

void AppendRecordJson(std::string& out, const std::vector<std::string>& header,
                      const std::vector<CsvField>& fields) {
  out.push_back('{');
  for (size_t i = 0; i < header.size() && i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(out, header[i]);
    out.push_back(':');
    const CsvField& f = fields[i];
    switch (f.kind) {
      case CsvField::kNull:
        out += "null";
        break;
      case CsvField::kNumber:
        out += f.value;
        break;
      case CsvField::kString:
        AppendJsonString(out, f.value);
        break;
    }
  }
  out.push_back('}');
}

}  // namespace ticklake::market
