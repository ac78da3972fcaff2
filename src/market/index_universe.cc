#include "market/index_universe.h"

#include <charconv>
#include <cmath>
#include <set>

#include "common/error.h"
#include "common/file_util.h"
#include "market/csv_reader.h"

namespace ticklake::market {

const std::vector<IndexSpec>& DefaultUniverse() {
  // Levels and FX rates are rounded late-2025 values; volatilities are long-run realised ones.
  // Daily volumes are of the order the data set shows (0 there for a few indices; here non-zero
  // so the stream looks alive).
  static const std::vector<IndexSpec> universe = {
      {"NYA", "USD", 1.0, 20500.0, 0.16, 3.5e9},
      {"IXIC", "USD", 1.0, 22500.0, 0.22, 6.0e9},
      {"HSI", "HKD", 0.1285, 25500.0, 0.24, 2.5e9},
      {"000001.SS", "CNY", 0.1405, 3900.0, 0.20, 4.0e8},
      {"N225", "JPY", 0.0064, 49000.0, 0.22, 1.5e8},
      {"N100", "EUR", 1.16, 1650.0, 0.17, 2.5e8},
      {"399001.SZ", "CNY", 0.1405, 13000.0, 0.25, 5.0e8},
      {"GSPTSE", "CAD", 0.715, 30000.0, 0.13, 2.5e8},
      {"NSEI", "INR", 0.0112, 26000.0, 0.15, 3.0e8},
      {"GDAXI", "EUR", 1.16, 23500.0, 0.19, 7.0e7},
      {"KS11", "KRW", 0.00068, 3900.0, 0.22, 6.0e8},
      {"SSMI", "CHF", 1.24, 12800.0, 0.14, 3.0e7},
      {"TWII", "TWD", 0.032, 27000.0, 0.20, 4.0e9},
      {"J203.JO", "ZAR", 0.057, 105000.0, 0.17, 2.0e8},
  };
  return universe;
}

namespace {

double ParseNumber(const CsvField& field, const std::string& source, int64_t line,
                   const std::string& column) {
  double value = 0;
  const char* begin = field.value.data();
  const char* end = begin + field.value.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (field.value.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    Fail("{} line {}: column {}: '{}' is not a number", source, line, column, field.value);
  }
  return value;
}

}  // namespace

std::vector<IndexSpec> ParseUniverse(std::string_view csv, const std::string& source_name) {
  CsvReader reader(csv, source_name);
  const auto& header = reader.header();
  auto column = [&](const std::string& name, bool required) -> int {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    if (required) Fail("{}: missing column '{}' in the header", source_name, name);
    return -1;
  };
  int symbol = column("symbol", true), currency = column("currency", true),
      usd_rate = column("usd_rate", true), start = column("start_level", true),
      vol = column("annual_volatility", true), volume = column("daily_volume", false);
  std::vector<IndexSpec> out;
  std::set<std::string> seen;
  CsvRecord record;
  while (reader.Next(record)) {
    if (!record.ok()) Fail("{} line {}: {}", source_name, record.line, record.error);
    IndexSpec spec;
    spec.symbol = record.fields[symbol].value;
    spec.currency = record.fields[currency].value;
    spec.usd_rate = ParseNumber(record.fields[usd_rate], source_name, record.line, "usd_rate");
    spec.start_level = ParseNumber(record.fields[start], source_name, record.line, "start_level");
    spec.annual_volatility =
        ParseNumber(record.fields[vol], source_name, record.line, "annual_volatility");
    if (volume >= 0 && !record.fields[volume].value.empty()) {
      spec.daily_volume =
          ParseNumber(record.fields[volume], source_name, record.line, "daily_volume");
    }
    if (spec.symbol.empty()) Fail("{} line {}: empty symbol", source_name, record.line);
    if (!seen.insert(spec.symbol).second) {
      Fail("{} line {}: duplicate symbol '{}'", source_name, record.line, spec.symbol);
    }
    if (spec.usd_rate <= 0 || spec.start_level <= 0) {
      Fail("{} line {}: usd_rate and start_level must be positive", source_name, record.line);
    }
    if (spec.annual_volatility < 0 || spec.annual_volatility > 5) {
      Fail("{} line {}: annual_volatility must be in [0, 5] (a fraction, 0.2 = 20 %)", source_name,
           record.line);
    }
    if (spec.daily_volume < 0)
      Fail("{} line {}: daily_volume must be >= 0", source_name, record.line);
    out.push_back(std::move(spec));
  }
  if (out.empty()) Fail("{}: no symbols", source_name);
  return out;
}

std::vector<IndexSpec> LoadUniverse(const std::string& path) {
  return ParseUniverse(ReadWholeFile(path), path);
}

}  // namespace ticklake::market
