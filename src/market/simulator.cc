#include "market/simulator.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::market {
namespace {

constexpr double kTradingSecondsPerYear = 252.0 * 6.5 * 3600.0;
constexpr double kTradingSecondsPerDay = 6.5 * 3600.0;
// Pull of the log price back to its start level, per year: half-life ln2/0.5 = 1.4 years.
constexpr double kReversionPerYear = 0.5;
constexpr double kVolumeSigma = 0.5;

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// exp(u) for the tiny log-moves inside a bar: a 4-term series (relative error < 1e-10 for
// |u| < 0.01, far below the price rounding) is several times cheaper than std::exp.
double SmallExp(double u) {
  if (std::fabs(u) >= 0.01) return std::exp(u);
  return 1.0 + u * (1.0 + u * (0.5 + u * (1.0 / 6.0)));
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm), valid for any int64 day.
void CivilFromDays(int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Writes "YYYY-MM-DDTHH:MM:SS" for a second since the epoch into out[19].
void FormatSecond(int64_t second, char* out) {
  int64_t days = second >= 0 ? second / 86400 : (second - 86399) / 86400;
  int64_t sod = second - days * 86400;
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  unsigned yy = static_cast<unsigned>(y < 0 ? 0 : y > 9999 ? 9999 : y);
  Put2(out, yy / 100);
  Put2(out + 2, yy % 100);
  out[4] = '-';
  Put2(out + 5, m);
  out[7] = '-';
  Put2(out + 8, d);
  out[10] = 'T';
  Put2(out + 11, static_cast<unsigned>(sod / 3600));
  out[13] = ':';
  Put2(out + 14, static_cast<unsigned>(sod / 60 % 60));
  out[16] = ':';
  Put2(out + 17, static_cast<unsigned>(sod % 60));
}

void AppendMicros(std::string& out, int64_t micros) {
  char buf[7];
  buf[0] = '.';
  for (int i = 6; i >= 1; --i) {
    buf[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  out.append(buf, 7);
}

}  // namespace

Random::Random(uint64_t seed) {
  for (auto& s : s_) s = SplitMix64(seed);
}

uint64_t Random::NextU64() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Random::Uniform() {
  // 53 random bits, shifted by half a step so the result is never 0 (we take its log).
  return (static_cast<double>(NextU64() >> 11) + 0.5) * 0x1.0p-53;
}

double Random::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double r = std::sqrt(-2.0 * std::log(Uniform()));
  double theta = 2.0 * M_PI * Uniform();
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

double Tick::Open() const { return static_cast<double>(open) / kPow10[decimals]; }
double Tick::High() const { return static_cast<double>(high) / kPow10[decimals]; }
double Tick::Low() const { return static_cast<double>(low) / kPow10[decimals]; }
double Tick::Close() const { return static_cast<double>(close) / kPow10[decimals]; }
double Tick::CloseUsd() const {
  return static_cast<double>(close_usd) / kPow10[MarketSimulator::kUsdDecimals];
}

MarketSimulator::MarketSimulator(std::vector<IndexSpec> universe, uint64_t seed, double bar_seconds)
    : universe_(std::move(universe)),
      seed_(seed != 0 ? seed : std::random_device{}() | (uint64_t{std::random_device{}()} << 32)),
      random_(seed_) {
  if (universe_.empty()) Fail("the simulator needs at least one symbol");
  if (!(bar_seconds > 0)) Fail("bar interval must be positive, got {}", bar_seconds);
  const double dt = bar_seconds / kTradingSecondsPerYear;
  reversion_ = kReversionPerYear * dt;
  for (const auto& spec : universe_) {
    State s;
    s.decimals = spec.start_level >= 10 ? 2 : 6;
    s.scale = static_cast<double>(kPow10[s.decimals]);
    s.log_start = std::log(spec.start_level);
    s.x = 0;
    s.level = spec.start_level;
    s.last_close = std::max<int64_t>(1, std::llround(spec.start_level * s.scale));
    s.step_sd = spec.annual_volatility * std::sqrt(dt);
    s.bar_volume = spec.daily_volume * bar_seconds / kTradingSecondsPerDay;
    states_.push_back(s);
  }
}

const Tick& MarketSimulator::Next(int64_t ts_us) {
  const int i = static_cast<int>(next_);
  next_ = next_ + 1 == states_.size() ? 0 : next_ + 1;
  State& s = states_[i];
  const IndexSpec& spec = universe_[i];

  const double z = random_.Normal();
  const double x_open = s.x;
  const double x_close = x_open - reversion_ * x_open + s.step_sd * z;
  s.x = x_close;
  // Extremes of a Brownian bridge from 0 to b with variance v: (b ± sqrt(b² - 2 v ln U)) / 2.
  const double b = x_close - x_open;
  const double v = s.step_sd * s.step_sd;
  const double up = 0.5 * (b + std::sqrt(b * b - 2.0 * v * std::log(random_.Uniform())));
  const double down = 0.5 * (b - std::sqrt(b * b - 2.0 * v * std::log(random_.Uniform())));

  const double open_level = s.level;
  const double close_level = std::exp(s.log_start + x_close);
  s.level = close_level;
  tick_.index = i;
  tick_.ts_us = ts_us;
  tick_.decimals = s.decimals;
  tick_.open = s.last_close;
  tick_.close = std::max<int64_t>(1, std::llround(close_level * s.scale));
  tick_.high = std::max({static_cast<int64_t>(std::llround(open_level * SmallExp(up) * s.scale)),
                         tick_.open, tick_.close});
  tick_.low = std::max<int64_t>(
      1, std::min({static_cast<int64_t>(std::llround(open_level * SmallExp(down) * s.scale)),
                   tick_.open, tick_.close}));
  s.last_close = tick_.close;
  tick_.close_usd = std::llround(static_cast<double>(tick_.close) / s.scale * spec.usd_rate *
                                 static_cast<double>(kPow10[kUsdDecimals]));
  // Log-normal with mean 1, times a factor that grows with the size of the move (mean ~1).
  const double activity = 0.6 + 0.5 * std::fabs(z);
  const double noise =
      std::exp(kVolumeSigma * random_.Normal() - 0.5 * kVolumeSigma * kVolumeSigma);
  tick_.volume = std::max<int64_t>(0, std::llround(s.bar_volume * noise * activity));
  return tick_;
}

TickRenderer::TickRenderer(const std::vector<IndexSpec>& universe) {
  size_t longest = 0;
  for (const auto& spec : universe) {
    std::string prefix = "{\"Index\":";
    AppendJsonString(prefix, spec.symbol);
    prefix += ",\"Date\":\"";
    longest = std::max(longest, prefix.size());
    index_json_.push_back(std::move(prefix));
  }
  // Prefix + date + 7 numbers of at most 22 bytes + timestamp + the fixed key text (< 120).
  buffer_.resize(longest + 10 + 7 * 22 + 27 + 160);
  std::memset(date_, 0, sizeof(date_));
  std::memset(time_, 0, sizeof(time_));
}

namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes magnitude / 10^D with D decimals at p; returns the end. D is a constant so that the
// divisions by 10^D compile to multiplications: with a run-time divisor, two 64-bit divisions per
// number were the largest cost of rendering a record.
template <int D>
char* WriteFixedDigits(char* p, uint64_t magnitude, bool trim) {
  constexpr uint64_t kScale = static_cast<uint64_t>(kPow10[D]);
  p = std::to_chars(p, p + 20, magnitude / kScale).ptr;
  if constexpr (D > 0) {
    *p++ = '.';
    uint64_t frac = magnitude % kScale;
    // Two digits at a time from the right.
    int k = D;
    while (k >= 2) {
      std::memcpy(p + k - 2, kDigitPairs + 2 * (frac % 100), 2);
      frac /= 100;
      k -= 2;
    }
    if (k == 1) p[0] = static_cast<char>('0' + frac);
    p += D;
    if (trim) {
      while (p[-1] == '0') --p;
      if (p[-1] == '.') --p;
    }
  }
  return p;
}

// Writes a fixed-point value at p; returns the end. Needs at most 22 bytes.
char* WriteFixed(char* p, int64_t value, int decimals, bool trim) {
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  if (value < 0) *p++ = '-';
  switch (decimals) {
    case 0:
      return WriteFixedDigits<0>(p, magnitude, trim);
    case 1:
      return WriteFixedDigits<1>(p, magnitude, trim);
    case 2:
      return WriteFixedDigits<2>(p, magnitude, trim);
    case 3:
      return WriteFixedDigits<3>(p, magnitude, trim);
    case 4:
      return WriteFixedDigits<4>(p, magnitude, trim);
    case 5:
      return WriteFixedDigits<5>(p, magnitude, trim);
    case 6:
      return WriteFixedDigits<6>(p, magnitude, trim);
    case 7:
      return WriteFixedDigits<7>(p, magnitude, trim);
    default:
      return WriteFixedDigits<8>(p, magnitude, trim);
  }
}

template <size_t N>
char* WriteLiteral(char* p, const char (&text)[N]) {
  std::memcpy(p, text, N - 1);
  return p + N - 1;
}

}  // namespace

void AppendFixed(std::string& out, int64_t value, int decimals, bool trim) {
  char buf[32];
  out.append(buf, static_cast<size_t>(WriteFixed(buf, value, decimals, trim) - buf));
}

std::string_view TickRenderer::Render(const Tick& tick) {
  int64_t second = tick.ts_us >= 0 ? tick.ts_us / 1000000 : (tick.ts_us - 999999) / 1000000;
  if (second != cached_second_) {
    cached_second_ = second;
    FormatSecond(second, time_);
    std::memcpy(date_, time_, sizeof(date_));
  }
  // One pass of plain stores into a buffer sized for the longest record: measurably cheaper on
  // the producer's hot path than a dozen std::string appends.
  const std::string& prefix = index_json_[tick.index];
  char* p = buffer_.data();
  std::memcpy(p, prefix.data(), prefix.size());
  p += prefix.size();
  std::memcpy(p, date_, sizeof(date_));
  p += sizeof(date_);
  p = WriteLiteral(p, "\",\"Open\":");
  p = WriteFixed(p, tick.open, tick.decimals, false);
  p = WriteLiteral(p, ",\"High\":");
  p = WriteFixed(p, tick.high, tick.decimals, false);
  p = WriteLiteral(p, ",\"Low\":");
  p = WriteFixed(p, tick.low, tick.decimals, false);
  p = WriteLiteral(p, ",\"Close\":");
  p = WriteFixed(p, tick.close, tick.decimals, false);
  p = WriteLiteral(p, ",\"Adj Close\":");
  p = WriteFixed(p, tick.close, tick.decimals, false);
  p = WriteLiteral(p, ",\"Volume\":");
  p = std::to_chars(p, p + 20, tick.volume).ptr;
  p = WriteLiteral(p, ",\"CloseUSD\":");
  p = WriteFixed(p, tick.close_usd, MarketSimulator::kUsdDecimals, true);
  p = WriteLiteral(p, ",\"ts\":\"");
  std::memcpy(p, time_, sizeof(time_));
  p += sizeof(time_);
  int64_t micros = tick.ts_us - second * 1000000;
  *p++ = '.';
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  p += 6;
  p = WriteLiteral(p, "Z\"}");
  return std::string_view(buffer_.data(), static_cast<size_t>(p - buffer_.data()));
}

void TickRenderer::Append(std::string& out, const Tick& tick) { out += Render(tick); }

std::string FormatTimestamp(int64_t ts_us) {
  int64_t second = ts_us >= 0 ? ts_us / 1000000 : (ts_us - 999999) / 1000000;
  char time[19];
  FormatSecond(second, time);
  std::string out(time, sizeof(time));
  AppendMicros(out, ts_us - second * 1000000);
  out += 'Z';
  return out;
}

}  // namespace ticklake::market
