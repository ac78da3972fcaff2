#include "kafka/fetch_waker.h"

#include "kafka/client.h"

namespace ticklake::kafka {

namespace {
// The request has done its work once sent, so its answer is not waited for long: it takes a round
// trip, but behind a fetch that a broker holds for fetch.wait.max.ms (a partition at its end)
// up to that long, and longer when a broker is down. The bound also delays closing the sink.
constexpr int kRequestTimeoutMs = 100;
}  // namespace

FetchWaker::FetchWaker(rd_kafka_t* consumer, std::string topic, std::chrono::milliseconds interval)
    : consumer_(consumer),
      topic_(std::move(topic)),
      interval_(interval),
      thread_([this] { Run(); }) {}

FetchWaker::~FetchWaker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  thread_.join();
}

void FetchWaker::Wake(const std::vector<int32_t>& partitions) {
  if (partitions.empty()) return;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (pending_ || now - last_ < interval_) return;
    last_ = now;
    partitions_ = partitions;
    pending_ = true;
  }
  changed_.notify_one();
}

int64_t FetchWaker::wakes() const {
  std::lock_guard lock(mutex_);
  return wakes_;
}

void FetchWaker::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || pending_; });
    if (stopping_) return;
    TopicPartitionList list(
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size())));
    for (int32_t partition : partitions_)
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset =
          RD_KAFKA_OFFSET_END;
    ++wakes_;
    lock.unlock();
    // Errors (a leader moving, a broker down) need nothing: the fetcher's own timer remains.
    rd_kafka_offsets_for_times(consumer_, list.get(), kRequestTimeoutMs);
    lock.lock();
    pending_ = false;
  }
}

}  // namespace ticklake::kafka
