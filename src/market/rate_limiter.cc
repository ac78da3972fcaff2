#include "market/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace ticklake::market {

int64_t SteadyClock::NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SteadyClock::SleepUntilNanos(int64_t deadline) {
  std::this_thread::sleep_until(
      std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline)));
}

SteadyClock* SteadyClock::Instance() {
  static SteadyClock clock;
  return &clock;
}

RateLimiter::RateLimiter(double rate, Clock* clock)
    : rate_(rate), clock_(clock), start_ns_(clock->NowNanos()) {}

int64_t RateLimiter::DueNanos(int64_t i) const {
  // long double keeps i / rate exact enough at billions of messages.
  return start_ns_ + static_cast<int64_t>(std::ceil(static_cast<long double>(i) * 1e9L / rate_));
}

int64_t RateLimiter::Acquire(int64_t max_batch, int64_t max_wait_ns) {
  if (max_batch <= 0) return 0;
  if (rate_ <= 0) {
    granted_ += max_batch;
    return max_batch;
  }
  int64_t now = clock_->NowNanos();
  int64_t next_due = DueNanos(granted_);
  if (now < next_due) {
    int64_t wake = std::min(next_due, now + max_wait_ns);
    clock_->SleepUntilNanos(wake);
    now = clock_->NowNanos();
    if (now < next_due) return 0;
  }
  // Messages 0..k-1 are due when k = floor((now - start) * rate / 1e9) + 1.
  long double elapsed = static_cast<long double>(now - start_ns_);
  int64_t due_total = static_cast<int64_t>(std::floor(elapsed * rate_ / 1e9L)) + 1;
  // Rounding at the boundary: DueNanos uses ceil, so make the two agree.
  while (due_total > granted_ + 1 && DueNanos(due_total - 1) > now) --due_total;
  int64_t n = std::clamp<int64_t>(due_total - granted_, 1, max_batch);
  granted_ += n;
  return n;
}

}  // namespace ticklake::market
