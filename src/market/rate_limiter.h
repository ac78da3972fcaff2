// RateLimiter: paces a stream at `rate` messages per second by schedule, not by sleeping a fixed
// interval per message: message i (0-based) is due at start + i / rate. Each call to Acquire()
// returns how many messages are due now (at most `max_batch`), so the caller sends them as one
// batch; if none is due it sleeps until the next one is. Because due times are computed from the
// start, sleep overshoot and slow sends do not accumulate: the average rate stays exact from 1/s
// to millions/s, also over short runs. A sender that fell behind catches up in batches of at
// most `max_batch`.
//
// Time comes from a Clock, so tests inject a fake one and check accuracy without sleeping.
// Thread-safety: one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>

namespace ticklake::market {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time in nanoseconds from an arbitrary origin.
  virtual int64_t NowNanos() = 0;
  virtual void SleepUntilNanos(int64_t deadline) = 0;
};

// std::chrono::steady_clock and std::this_thread::sleep_until.
class SteadyClock : public Clock {
 public:
  int64_t NowNanos() override;
  void SleepUntilNanos(int64_t deadline) override;
  static SteadyClock* Instance();
};

class RateLimiter {
 public:
  // rate <= 0 means unlimited: Acquire returns max_batch at once.
  RateLimiter(double rate, Clock* clock);

  // Waits until at least one message is due (sleeping at most `max_wait_ns`, so the caller can
  // check for a stop request), then returns the number due now, capped at `max_batch`, and counts
  // them as sent. Returns 0 when the wait ended before a message was due.
  int64_t Acquire(int64_t max_batch, int64_t max_wait_ns = 100'000'000);

  int64_t granted() const { return granted_; }
  // When message `i` is due, in the clock's nanoseconds.
  int64_t DueNanos(int64_t i) const;

 private:
  double rate_;
  Clock* clock_;
  int64_t start_ns_;
  int64_t granted_ = 0;
};

}  // namespace ticklake::market
