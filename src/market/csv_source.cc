#include "market/csv_source.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>

#include "common/error.h"
#include "common/file_util.h"
#include "market/csv_reader.h"

namespace ticklake::market {
namespace {

uint64_t SeedOrRandom(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Reads exactly `n` digits at text[pos]; advances pos.
bool Digits(std::string_view text, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

}  // namespace

ReplayOrder ParseReplayOrder(const std::string& text) {
  if (text == "file") return ReplayOrder::kFile;
  if (text == "random") return ReplayOrder::kRandom;
  if (text == "time") return ReplayOrder::kTime;
  Fail("unknown order '{}': expected file, random or time", text);
}

std::optional<int64_t> ParseTimeMicros(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A plain number: Unix time, its unit guessed from its magnitude.
  if (IsJsonNumber(text)) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
    double a = std::fabs(v);
    double us = a < 1e11 ? v * 1e6 : a < 1e14 ? v * 1e3 : a < 1e17 ? v : v / 1e3;
    if (std::fabs(us) > 9e18) return std::nullopt;
    return static_cast<int64_t>(std::llround(us));
  }
  size_t pos = 0;
  int64_t y, mo, d, h = 0, mi = 0, s = 0, micros = 0;
  if (!Digits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !Digits(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
      !Digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (!Digits(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' ||
        !Digits(text, pos, 2, mi)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!Digits(text, pos, 2, s)) return std::nullopt;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int64_t scale = 100000;
        size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (scale > 0) micros += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
          ++digits;
        }
        if (digits == 0) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int sign = text[pos++] == '-' ? -1 : 1;
      int64_t oh, om = 0;
      if (!Digits(text, pos, 2, oh)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size() && !Digits(text, pos, 2, om)) return std::nullopt;
      offset_s = sign * (oh * 3600 + om * 60);
    }
  }
  if (pos != text.size()) return std::nullopt;
  int64_t seconds = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                    h * 3600 + mi * 60 + s - offset_s;
  return seconds * 1000000 + micros;
}

CsvSource::CsvSource(const CsvSourceOptions& options)
    : options_(options), random_(SeedOrRandom(options.seed)) {
  const std::string data = ReadWholeFile(options_.path);
  CsvReader reader(data, options_.path);
  header_ = reader.header();
  auto find_column = [&](std::string_view name, bool ignore_case) -> int {
    for (size_t i = 0; i < header_.size(); ++i) {
      if (ignore_case ? EqualsIgnoreCase(header_[i], name) : header_[i] == name) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  if (!options_.key_column.empty()) {
    key_index_ = find_column(options_.key_column, false);
    if (key_index_ < 0)
      Fail("{}: key column '{}' is not in the header", options_.path, options_.key_column);
  } else {
    key_index_ = find_column("Index", false);
  }
  const bool timed = options_.order == ReplayOrder::kTime;
  if (!options_.time_column.empty()) {
    time_index_ = find_column(options_.time_column, false);
    if (time_index_ < 0) {
      Fail("{}: time column '{}' is not in the header", options_.path, options_.time_column);
    }
  } else if (timed) {
    for (const char* name : {"ts", "timestamp", "time", "Date"}) {
      if ((time_index_ = find_column(name, true)) >= 0) break;
    }
    if (time_index_ < 0) {
      Fail("{}: --order time needs a time column (ts, timestamp, time or Date, or --time-column)",
           options_.path);
    }
  }

  auto malformed = [&](int64_t line, const std::string& reason) {
    std::string message = fmt::format("{} line {}: {}", options_.path, line, reason);
    if (options_.strict) throw Error(message + " (--strict)");
    ++malformed_;
    if (options_.report) options_.report(message);
  };
  CsvRecord record;
  while (reader.Next(record)) {
    if (!record.ok()) {
      malformed(record.line, record.error);
      continue;
    }
    CsvRow row;
    if (timed) {
      const CsvField& f = record.fields[time_index_];
      std::optional<int64_t> t = ParseTimeMicros(f.value);
      if (!t) {
        malformed(record.line, fmt::format("cannot parse time '{}' in column '{}'", f.value,
                                           header_[time_index_]));
        continue;
      }
      row.time_us = *t;
    }
    if (key_index_ >= 0 && record.fields[key_index_].kind != CsvField::kNull) {
      row.key = record.fields[key_index_].value;
      row.has_key = true;
    }
    AppendRecordJson(row.json, header_, record.fields);
    rows_.push_back(std::move(row));
  }
  if (timed && !rows_.empty()) {
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const CsvRow& a, const CsvRow& b) { return a.time_us < b.time_us; });
    int64_t span = rows_.back().time_us - rows_.front().time_us;
    // The next pass starts one average row spacing after the last row (1 s for a single row).
    pass_span_us_ = span + (rows_.size() > 1 ? span / static_cast<int64_t>(rows_.size() - 1) : 0);
    if (pass_span_us_ <= 0) pass_span_us_ = 1000000;
  }
}

const CsvRow* CsvSource::Next(int64_t* due_us) {
  if (rows_.empty()) return nullptr;
  const CsvRow* row;
  if (options_.order == ReplayOrder::kRandom) {
    // Uniform with replacement; the modulo bias is below 1e-9 for any realistic row count.
    row = &rows_[random_.NextU64() % rows_.size()];
  } else {
    if (next_ == rows_.size()) {
      if (!options_.loop) return nullptr;
      next_ = 0;
      ++pass_;
    }
    row = &rows_[next_++];
  }
  if (due_us != nullptr) {
    *due_us = row->time_us - rows_.front().time_us + pass_ * pass_span_us_;
  }
  return row;
}

}  // namespace ticklake::market
