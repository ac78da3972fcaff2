#include "market/rate_limiter.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ticklake::market {
namespace {

// A clock that only moves when the code under test sleeps, or when the test advances it (to
// model the time that sending a batch takes).
class FakeClock : public Clock {
 public:
  int64_t NowNanos() override { return now_; }
  void SleepUntilNanos(int64_t deadline) override {
    ++sleeps_;
    if (deadline > now_) now_ = deadline;
  }
  void Advance(int64_t ns) { now_ += ns; }
  int64_t now_ = 1'000'000'000'000;
  int64_t sleeps_ = 0;
};

// Runs the limiter for `seconds` of fake time with each message costing `cost_ns` to send;
// returns messages granted with due time inside the window.
int64_t Simulate(double rate, double seconds, int64_t cost_ns, FakeClock& clock) {
  RateLimiter limiter(rate, &clock);
  const int64_t end = clock.NowNanos() + static_cast<int64_t>(seconds * 1e9);
  int64_t sent = 0;
  while (true) {
    int64_t before = clock.NowNanos();
    if (before >= end) break;
    int64_t n = limiter.Acquire(1024, std::min<int64_t>(100'000'000, end - before));
    if (clock.NowNanos() >= end) break;
    sent += n;
    clock.Advance(n * cost_ns);
  }
  return sent;
}

TEST(RateLimiter, AccurateAcrossRatesAndShortRuns) {
  struct Case {
    double rate, seconds;
    int64_t cost_ns;
  };
  for (Case c : {Case{1, 10, 1000}, Case{1, 1.5, 0}, Case{7.5, 4, 0}, Case{1000, 1, 100},
                 Case{1000, 0.05, 0}, Case{200000, 1, 200}, Case{200000, 0.1, 2000},
                 Case{1500000, 2, 100}}) {
    FakeClock clock;
    int64_t sent = Simulate(c.rate, c.seconds, c.cost_ns, clock);
    // Messages due in [0, seconds): floor(seconds * rate) + 1 (message 0 is due at once).
    double expected = std::ceil(c.seconds * c.rate);
    EXPECT_NEAR(static_cast<double>(sent), expected, std::max(1.0, expected * 0.001))
        << "rate " << c.rate << " over " << c.seconds << " s";
  }
}

TEST(RateLimiter, SlowSendsCatchUpInBatchesWithoutDrift) {
  FakeClock clock;
  RateLimiter limiter(10000, &clock);
  EXPECT_EQ(limiter.Acquire(1024), 1);   // message 0 due at start
  clock.Advance(50'000'000);             // a 50 ms stall: 500 messages are now due
  EXPECT_EQ(limiter.Acquire(100), 100);  // capped at max_batch
  EXPECT_EQ(limiter.Acquire(1024), 400);
  EXPECT_EQ(limiter.granted(), 501);
  EXPECT_EQ(limiter.Acquire(1024), 1);  // then paced again: slept until the next due time
  EXPECT_EQ(clock.sleeps_, 1);
}

TEST(RateLimiter, DueTimesFollowTheSchedule) {
  FakeClock clock;
  int64_t start = clock.NowNanos();
  RateLimiter limiter(3, &clock);
  EXPECT_EQ(limiter.DueNanos(0), start);
  EXPECT_EQ(limiter.DueNanos(1), start + 333'333'334);
  EXPECT_EQ(limiter.DueNanos(3), start + 1'000'000'000);
  for (int i = 0; i < 6; ++i) {
    int64_t n = 0;
    while ((n = limiter.Acquire(1024)) == 0) {
    }
    EXPECT_EQ(n, 1);
    EXPECT_EQ(clock.NowNanos(), limiter.DueNanos(i)) << i;  // woke exactly on time
  }
}

TEST(RateLimiter, WaitIsBoundedSoCallersCanCheckForStop) {
  FakeClock clock;
  RateLimiter limiter(0.1, &clock);  // one message every 10 s
  EXPECT_EQ(limiter.Acquire(10), 1);
  int64_t before = clock.NowNanos();
  EXPECT_EQ(limiter.Acquire(10, 100'000'000), 0);
  EXPECT_EQ(clock.NowNanos() - before, 100'000'000);
}

TEST(RateLimiter, ZeroRateIsUnlimited) {
  FakeClock clock;
  RateLimiter limiter(0, &clock);
  EXPECT_EQ(limiter.Acquire(1024), 1024);
  EXPECT_EQ(limiter.Acquire(5), 5);
  EXPECT_EQ(clock.sleeps_, 0);
}

}  // namespace
}  // namespace ticklake::market
