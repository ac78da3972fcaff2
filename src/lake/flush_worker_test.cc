#include "lake/flush_worker.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace ticklake::lake {

TEST(FlushWorker, RunsJobsInOrderAndCountsBytesUntilDone) {
  FlushWorker worker;
  std::vector<int> ran;
  std::mutex gate;
  std::unique_lock hold(gate);
  worker.Submit([&] { std::lock_guard wait(gate); }, 100);  // blocks until released
  for (int i = 0; i < 5; ++i) worker.Submit([&ran, i] { ran.push_back(i); }, 10);
  EXPECT_EQ(worker.inflight_bytes(), 150u);
  hold.unlock();
  worker.WaitBelow(0);
  worker.WaitIdle();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(worker.inflight_bytes(), 0u);
}

TEST(FlushWorker, AFailureDropsLaterJobsAndIsRethrown) {
  FlushWorker worker;
  bool later_ran = false;
  std::mutex gate;
  std::unique_lock hold(gate);
  worker.Submit(
      [&] {
        std::lock_guard wait(gate);
        throw std::runtime_error("upload of a/b.parquet failed");
      },
      7);
  worker.Submit([&] { later_ran = true; }, 3);
  hold.unlock();
  EXPECT_THROW(worker.WaitIdle(), std::runtime_error);
  EXPECT_FALSE(later_ran);
  EXPECT_EQ(worker.inflight_bytes(), 0u);
  EXPECT_THROW(worker.Check(), std::runtime_error);
  EXPECT_THROW(worker.Submit([] {}, 1), std::runtime_error);
}

}  // namespace ticklake::lake
