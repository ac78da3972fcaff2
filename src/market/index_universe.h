// The universe of instruments the simulator trades: by default the 14 world indices of the
// well-known indexProcessed.csv data set, with approximate late-2025 levels, currencies, USD
// conversion rates, annual volatilities and typical daily volumes.
//
// `--symbols FILE` replaces the universe with a CSV file (header required, columns by name):
//   symbol,currency,usd_rate,start_level,annual_volatility[,daily_volume]
//   NYA,USD,1,20500,0.16,3500000000
// usd_rate converts one unit of the currency to US dollars (CloseUSD = Close * usd_rate);
// annual_volatility is a fraction (0.2 = 20 %); daily_volume (optional, default 1e8) scales the
// simulated per-bar volume. Errors name the file, line and column.
//
// Thread-safety: plain values; LoadUniverse is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ticklake::market {

struct IndexSpec {
  std::string symbol;
  std::string currency;
  double usd_rate = 1.0;
  double start_level = 1000.0;
  double annual_volatility = 0.2;
  double daily_volume = 1e8;
};

// The 14 indices of indexProcessed.csv.
const std::vector<IndexSpec>& DefaultUniverse();

// Parses a universe CSV (format above). Throws Error with file and line on bad input.
std::vector<IndexSpec> ParseUniverse(std::string_view csv, const std::string& source_name);
std::vector<IndexSpec> LoadUniverse(const std::string& path);

}  // namespace ticklake::market
