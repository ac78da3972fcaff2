// MarketSimulator: a reproducible stream of OHLC bars for a universe of indices (by default the
// 14 of indexProcessed.csv), and TickRenderer, which writes a bar as the JSON record the
// tutorial's consumers expect:
//   {"Index":"NYA","Date":"2026-11-27","Open":20500.12,"High":20501.3,"Low":20499.87,
//    "Close":20500.55,"Adj Close":20500.55,"Volume":598291,"CloseUSD":20500.55,
//    "ts":"2026-11-27T15:32:10.123456Z"}
//
// Model. Each call to Next() advances one index (round-robin over the universe) by one bar of
// `bar_seconds` of trading time. The log price follows an Ornstein-Uhlenbeck process around the
// log of the start level: a geometric random walk with the index's annual volatility plus a weak
// pull (half-life ~1.4 trading years) so that a feed running for days at 1M msg/s still shows
// plausible levels. High and Low are drawn from the exact distribution of the maximum/minimum of
// a Brownian bridge between Open and Close, so bars look like real intrabar ranges. Volume is
// log-normal around the index's daily volume pro-rated to the bar, higher on bigger moves.
//
// Invariants (checked by simulator_test over 1M bars): Open = previous Close of the same index;
// Low <= min(Open, Close) <= max(Open, Close) <= High; all prices > 0; Volume >= 0;
// Adj Close = Close (indices pay no dividends to adjust for); CloseUSD = Close * usd_rate
// rounded to 6 decimals. Prices are fixed-point: 2 decimals for levels >= 10, else 6.
// The same seed and universe give the same sequence of bars (the random generator is our own
// xoshiro256**, so the stream does not depend on the standard library). Event times are not part
// of the reproducible part: they are what the caller passes (the wall clock at generation).
//
// Thread-safety: a MarketSimulator and a TickRenderer are used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "market/index_universe.h"

namespace ticklake::market {

// xoshiro256** seeded through splitmix64: fast, good quality, identical on every platform.
class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t NextU64();
  double Uniform();  // in (0, 1)
  double Normal();   // standard normal (Box-Muller, caches the second value)

 private:
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

struct Tick {
  int index = 0;      // position in the universe
  int64_t ts_us = 0;  // event time, microseconds since the Unix epoch (UTC)
  int decimals = 2;   // fixed-point decimals of the prices
  int64_t open = 0, high = 0, low = 0, close = 0;  // price * 10^decimals
  int64_t close_usd = 0;                           // CloseUSD * 10^6
  int64_t volume = 0;

  double Open() const;
  double High() const;
  double Low() const;
  double Close() const;
  double CloseUsd() const;
};

class MarketSimulator {
 public:
  static constexpr int kUsdDecimals = 6;

  // seed 0 picks a random seed (see seed()).
  explicit MarketSimulator(std::vector<IndexSpec> universe, uint64_t seed = 0,
                           double bar_seconds = 1.0);

  // Produces the next bar, stamped with `ts_us`. The reference stays valid until the next call.
  const Tick& Next(int64_t ts_us);

  const std::vector<IndexSpec>& universe() const { return universe_; }
  uint64_t seed() const { return seed_; }

 private:
  struct State {
    double log_start;    // log of the start level
    double x;            // log price relative to log_start
    double level;        // exp(log_start + x), the unrounded last close
    int64_t last_close;  // fixed point
    int decimals;
    double scale;       // 10^decimals
    double step_sd;     // volatility * sqrt(dt)
    double bar_volume;  // mean volume per bar
  };

  std::vector<IndexSpec> universe_;
  std::vector<State> states_;
  uint64_t seed_;
  Random random_;
  double reversion_;  // kappa * dt
  size_t next_ = 0;
  Tick tick_;
};

// Writes ticks as JSON. Caches the formatted date/time of the current second, so rendering does
// no allocation once `out` has grown to a record's size.
class TickRenderer {
 public:
  explicit TickRenderer(const std::vector<IndexSpec>& universe);
  // Appends the JSON object for `tick` to `out`.
  void Append(std::string& out, const Tick& tick);
  // The JSON object for `tick`, valid until the next call (no allocation).
  std::string_view Render(const Tick& tick);

 private:
  std::vector<std::string> index_json_;  // {"Index":"NYA","Date":"   per index (escaped)
  std::vector<char> buffer_;             // sized for the longest record
  int64_t cached_second_ = INT64_MIN;
  char date_[10];  // YYYY-MM-DD
  char time_[19];  // YYYY-MM-DDTHH:MM:SS
};

// Formats microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC).
std::string FormatTimestamp(int64_t ts_us);

// Appends a fixed-point value (value / 10^decimals) as a JSON number, e.g. 2050012, 2 -> 20500.12;
// `trim` drops trailing fractional zeros (20498.880000 -> 20498.88, 5.000 -> 5).
void AppendFixed(std::string& out, int64_t value, int decimals, bool trim = false);

}  // namespace ticklake::market
