#include "market/simulator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <map>

#include "common/error.h"

namespace ticklake::market {
namespace {

constexpr int64_t kTs = 1795792020123456;  // 2026-11-27T15:07:00.123456Z

TEST(MarketSimulator, OneMillionBarsKeepOhlcInvariants) {
  MarketSimulator sim(DefaultUniverse(), 42);
  const auto& universe = sim.universe();
  std::vector<int64_t> last_close(universe.size(), -1);
  std::vector<double> min_level(universe.size(), 1e300), max_level(universe.size(), 0);
  int64_t wick_up = 0, wick_down = 0;
  for (int n = 0; n < 1'000'000; ++n) {
    const Tick& t = sim.Next(kTs + n);
    ASSERT_EQ(t.index, n % static_cast<int>(universe.size()));  // round-robin
    ASSERT_GT(t.low, 0) << n;
    ASSERT_LE(t.low, std::min(t.open, t.close)) << n;
    ASSERT_GE(t.high, std::max(t.open, t.close)) << n;
    ASSERT_GE(t.volume, 0) << n;
    if (last_close[t.index] >= 0) {
      ASSERT_EQ(t.open, last_close[t.index]) << n;
    }
    last_close[t.index] = t.close;
    wick_up += t.high > std::max(t.open, t.close);
    wick_down += t.low < std::min(t.open, t.close);
    // CloseUSD is Close converted at the index's rate, rounded to 6 decimals.
    ASSERT_NEAR(t.CloseUsd(), t.Close() * universe[t.index].usd_rate, 0.5e-6 + 1e-12 * t.Close())
        << n;
    min_level[t.index] = std::min(min_level[t.index], t.Close());
    max_level[t.index] = std::max(max_level[t.index], t.Close());
  }
  // Bars have real ranges beyond Open and Close (the Brownian-bridge extremes), both ways.
  EXPECT_GT(wick_up, 500'000);
  EXPECT_GT(wick_down, 500'000);
  // ~71k one-second bars per index is about 0.05 trading years: levels stay near their start.
  for (size_t i = 0; i < universe.size(); ++i) {
    EXPECT_GT(min_level[i], universe[i].start_level * 0.7) << universe[i].symbol;
    EXPECT_LT(max_level[i], universe[i].start_level * 1.3) << universe[i].symbol;
  }
}

TEST(MarketSimulator, VolatilityMatchesTheSpec) {
  // Realised volatility of log returns, annualised, should match the index's parameter.
  IndexSpec spec{"X", "USD", 1.0, 1000.0, 0.30, 1e8};
  MarketSimulator sim({spec}, 7, /*bar_seconds=*/3600);
  double sum = 0, sum2 = 0, prev = std::log(sim.Next(0).Close());
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double x = std::log(sim.Next(0).Close());
    sum += x - prev;
    sum2 += (x - prev) * (x - prev);
    prev = x;
  }
  double var = sum2 / n - (sum / n) * (sum / n);
  double annual = std::sqrt(var * 252 * 6.5);
  EXPECT_NEAR(annual, 0.30, 0.01);
}

TEST(MarketSimulator, SameSeedSameStreamOtherSeedOtherStream) {
  MarketSimulator a(DefaultUniverse(), 123), b(DefaultUniverse(), 123), c(DefaultUniverse(), 124);
  TickRenderer ra(a.universe()), rb(b.universe()), rc(c.universe());
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    std::string ja, jb, jc;
    ra.Append(ja, a.Next(kTs + i));
    rb.Append(jb, b.Next(kTs + i));
    rc.Append(jc, c.Next(kTs + i));
    ASSERT_EQ(ja, jb) << i;
    differs |= ja != jc;
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(a.seed(), 123u);
  EXPECT_NE(MarketSimulator(DefaultUniverse(), 0).seed(), 0u);  // 0 picks a random seed
}

TEST(MarketSimulator, DefaultUniverseIsTheFourteenIndices) {
  std::vector<std::string> symbols;
  for (const auto& s : DefaultUniverse()) symbols.push_back(s.symbol);
  EXPECT_EQ(symbols, (std::vector<std::string>{"NYA", "IXIC", "HSI", "000001.SS", "N225", "N100",
                                               "399001.SZ", "GSPTSE", "NSEI", "GDAXI", "KS11",
                                               "SSMI", "TWII", "J203.JO"}));
}

TEST(TickRenderer, WritesTheTutorialKeysAsValidJson) {
  MarketSimulator sim(DefaultUniverse(), 9);
  TickRenderer renderer(sim.universe());
  simdjson::dom::parser parser;
  for (int i = 0; i < 28; ++i) {
    const Tick& t = sim.Next(kTs + i * 1000003LL);
    std::string json;
    renderer.Append(json, t);
    simdjson::dom::object obj = parser.parse(json).get_object().value();
    std::vector<std::string> keys;
    for (auto field : obj) keys.emplace_back(field.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"Index", "Date", "Open", "High", "Low", "Close",
                                              "Adj Close", "Volume", "CloseUSD", "ts"}))
        << json;
    EXPECT_EQ(std::string_view(obj["Index"].get_string().value()), sim.universe()[t.index].symbol);
    std::string date(std::string_view(obj["Date"].get_string().value()));
    EXPECT_DOUBLE_EQ(obj["Open"].get_double().value(), t.Open());
    EXPECT_DOUBLE_EQ(obj["High"].get_double().value(), t.High());
    EXPECT_DOUBLE_EQ(obj["Low"].get_double().value(), t.Low());
    EXPECT_DOUBLE_EQ(obj["Close"].get_double().value(), t.Close());
    EXPECT_DOUBLE_EQ(obj["Adj Close"].get_double().value(), t.Close());
    EXPECT_EQ(obj["Volume"].get_int64().value(), t.volume);
    EXPECT_DOUBLE_EQ(obj["CloseUSD"].get_double().value(), t.CloseUsd());
    std::string ts(std::string_view(obj["ts"].get_string().value()));
    EXPECT_EQ(ts, FormatTimestamp(t.ts_us));
    EXPECT_EQ(date, ts.substr(0, 10));
  }
}

TEST(TickRenderer, TimestampsAreIsoUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(kTs), "2026-11-27T15:07:00.123456Z");
  EXPECT_EQ(FormatTimestamp(951782400000001), "2000-02-29T00:00:00.000001Z");  // leap day
  EXPECT_EQ(FormatTimestamp(4102444799999999), "2099-12-31T23:59:59.999999Z");
}

TEST(TickRenderer, FixedPointFormatting) {
  std::string out;
  AppendFixed(out, 2050012, 2);
  out += ' ';
  AppendFixed(out, 5, 2);
  out += ' ';
  AppendFixed(out, -1234567, 6);
  out += ' ';
  AppendFixed(out, 20498880000, 6, true);
  out += ' ';
  AppendFixed(out, 5000000, 6, true);
  out += ' ';
  AppendFixed(out, 123, 1);
  out += ' ';
  AppendFixed(out, 1000001, 6);
  EXPECT_EQ(out, "20500.12 0.05 -1.234567 20498.88 5 12.3 1.000001");
}

TEST(IndexUniverse, ParsesTheDocumentedFormat) {
  auto u = ParseUniverse(
      "symbol,currency,usd_rate,start_level,annual_volatility\r\n"
      "AAA,EUR,1.1,100,0.2\r\n"
      "\"B,B\",JPY,0.0064,0.5,0.3\r\n",
      "u.csv");
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[1].symbol, "B,B");
  EXPECT_DOUBLE_EQ(u[1].usd_rate, 0.0064);
  EXPECT_DOUBLE_EQ(u[0].daily_volume, 1e8);
  // Small levels get 6 decimals, so prices stay positive and meaningful.
  MarketSimulator sim(u, 1);
  sim.Next(0);
  EXPECT_EQ(sim.Next(0).decimals, 6);
  auto v = ParseUniverse(
      "daily_volume,annual_volatility,start_level,usd_rate,currency,symbol\n"
      "5,0.1,10,1,USD,Z\n",
      "v.csv");
  EXPECT_DOUBLE_EQ(v[0].daily_volume, 5);
}

TEST(IndexUniverse, RejectsBadFilesWithFileAndLine) {
  auto error_of = [](const std::string& text) {
    try {
      ParseUniverse(text, "u.csv");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string h = "symbol,currency,usd_rate,start_level,annual_volatility\n";
  EXPECT_EQ(error_of(h + "A,USD,x,1,0.1\n"), "u.csv line 2: column usd_rate: 'x' is not a number");
  EXPECT_EQ(error_of(h + "A,USD,1,1,0.1\nA,USD,1,1,0.1\n"), "u.csv line 3: duplicate symbol 'A'");
  EXPECT_EQ(error_of(h + "A,USD,1,-1,0.1\n"),
            "u.csv line 2: usd_rate and start_level must be positive");
  EXPECT_EQ(error_of(h + "A,USD,1\n"), "u.csv line 2: expected 5 fields, got 3");
  EXPECT_EQ(error_of("symbol,currency\nA,USD\n"), "u.csv: missing column 'usd_rate' in the header");
  EXPECT_EQ(error_of(h), "u.csv: no symbols");
  EXPECT_EQ(error_of(""), "u.csv: empty file, expected a header line");
}

}  // namespace
}  // namespace ticklake::market
