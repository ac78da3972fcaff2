// FetchWaker: makes librdkafka 2.0 fetch again as soon as the consumer has drained its queue.
//
// librdkafka 2.0 (Debian 12's) stops fetching a partition while the consumer's queue holds more
// than queued.max.messages.kbytes, and looks at the partition again only when its broker's thread
// wakes up: on a request or response for that broker, else after up to a second
// (rd_kafka_max_block_ms). A consumer whose prefetch is bounded in memory (the sink's, derived
// from --max-buffer-bytes) therefore drains the queue and then waits most of a second for data
// the broker has: draining 2M records took 12 s instead of 9 s on the embedded broker. (2.2 added
// fetch.queue.backoff.ms for this.)
//
// Wake() asks each partition's leader for its end offset (rd_kafka_offsets_for_times, one
// ListOffsets request per broker): the request wakes the broker's thread, which then fetches.
// It runs on the waker's own thread (the call is synchronous), at most once per `interval`;
// calls meanwhile are dropped. The answer is not used.
// Thread-safety: Wake may be called from any thread; the handle must outlive the waker.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ticklake::kafka {

class FetchWaker {
 public:
  FetchWaker(rd_kafka_t* consumer, std::string topic, std::chrono::milliseconds interval);
  ~FetchWaker();  // waits for a request in flight (bounded by its timeout)
  FetchWaker(const FetchWaker&) = delete;
  FetchWaker& operator=(const FetchWaker&) = delete;

  // Wakes the brokers leading `partitions` (of the topic), unless that was done within the
  // interval.
  void Wake(const std::vector<int32_t>& partitions);
  int64_t wakes() const;  // requests sent so far

 private:
  void Run();

  rd_kafka_t* consumer_;
  const std::string topic_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int32_t> partitions_;  // of the pending wake
  bool pending_ = false, stopping_ = false;
  std::chrono::steady_clock::time_point last_ = {};
  int64_t wakes_ = 0;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace ticklake::kafka
