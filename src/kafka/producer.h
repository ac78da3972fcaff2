// Producer: an RAII librdkafka producer for one topic, with the settings a market feed wants by
// default and every librdkafka property overridable by the user (-X key=value wins):
//   - idempotent (enable.idempotence=true, acks=all): retries never duplicate or reorder;
//   - partitioner=murmur2_random: a key always maps to the partition the Java client would pick
//     (librdkafka's own default, consistent_random, uses CRC32 and disagrees with Java clients);
//   - lz4 compression and batching for throughput (linger.ms=5, large batches and queue).
// Construction waits (bounded) until the cluster answers, so an unreachable bootstrap server is
// one clear error instead of a hang. Send() copies the message into librdkafka's queue; when the
// queue is full it serves delivery reports and retries (backpressure: nothing is dropped).
// Add() + SendBatch() do the same for many messages at once: they reach librdkafka through one
// rd_kafka_produce_batch call, which reads the clocks and takes the topic lock once per batch
// instead of once per message (at a million messages per second, per-message clock reads were
// a tenth of the sending thread's time). Partitioning, order and acknowledgement are the same.
// Delivery reports are counted: every message sent ends up acknowledged or failed (after Flush,
// sent == acknowledged + failed), with the last error message kept. (Reporting only failures,
// delivery.report.only.error=true, was measured slower: librdkafka's broker thread then frees
// every message itself and becomes the bottleneck; it is rejected, since counting needs the
// reports.)
//
// Thread-safety: one thread at a time. Delivery reports are served inside Send/Poll/Flush on the
// calling thread, so the counters need no locking.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/client.h"

namespace ticklake::kafka {

struct ProducerOptions {
  std::string bootstrap;
  std::string topic;
  Properties properties;  // the user's -X properties; they override DefaultProducerProperties()
  std::chrono::milliseconds connect_timeout{10000};
  // Consulted while Send() waits for room in a full queue; true aborts the wait.
  std::function<bool()> should_stop;
};

// The defaults listed above (without bootstrap.servers).
Properties DefaultProducerProperties();

class Producer {
 public:
  explicit Producer(const ProducerOptions& options);
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  // Does not wait for outstanding messages: call Flush() first to deliver them.
  ~Producer();

  // Enqueues one message (key may be empty with has_key=false for no key). Returns false only
  // when should_stop ended a wait for queue space; the message then counts as failed.
  bool Send(std::string_view key, bool has_key, std::string_view value);
  // Copies one message into the batch being built (it counts as sent from now on).
  void Add(std::string_view key, bool has_key, std::string_view value);
  // Enqueues the batch built by Add(), in order. Returns false only when should_stop ended a
  // wait for queue space; the messages not enqueued then count as failed.
  bool SendBatch();
  // Enqueues the batch (if any), then serves delivery reports without blocking.
  void Poll();
  // Enqueues the batch (if any) and waits up to `timeout` for all outstanding messages; those
  // still undelivered are purged and counted as failed. Returns true when everything sent was
  // acknowledged.
  bool Flush(std::chrono::milliseconds timeout);

  int64_t sent() const { return sent_; }
  int64_t acknowledged() const { return acknowledged_; }
  int64_t failed() const { return failed_; }
  int64_t in_flight() const { return sent_ - acknowledged_ - failed_; }
  const std::string& last_error() const { return last_error_; }
  rd_kafka_t* handle() { return rk_.get(); }

 private:
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);
  void RecordFailure(std::string message);
  // Microseconds on the monotonic clock, read at most once per kClockReuse delivery reports
  // while a non-blocking Poll() serves them (see OnDelivery).
  int64_t DeliveryNow();
  void ObserveLatency(int64_t micros);
  // Adds the acknowledgements and latencies counted since the last call to the process-wide
  // metrics (once per poll rather than once per message).
  void PublishCounts();

  // A message of the batch: its key then its value, at `offset` in batch_bytes_.
  struct Buffered {
    size_t offset;
    size_t key_size;
    size_t value_size;
    bool has_key;
  };

  ProducerOptions options_;
  KafkaHandle rk_;
  rd_kafka_topic_t* topic_ = nullptr;  // owned; destroyed before rk_
  std::vector<Buffered> batch_;
  std::string batch_bytes_;
  std::vector<rd_kafka_message_t> messages_;  // the batch as produce_batch takes it
  int64_t sent_ = 0;
  bool debug_ = false;  // -X debug=... given: print all librdkafka logs
  // Delivery-report clock (DeliveryNow): the cached reading and how many reports may still use it.
  int64_t report_now_us_ = 0;
  int report_clock_uses_ = 0;
  bool serving_nonblocking_ = false;
  // Acknowledgements already added to the process-wide counter (updated once per poll), and the
  // latest run of equal latencies not yet added to the histogram.
  int64_t published_acknowledged_ = 0;
  int64_t latency_run_us_ = -1;
  int64_t latency_run_count_ = 0;
  int64_t acknowledged_ = 0;
  int64_t failed_ = 0;
  std::string last_error_;
  std::string last_client_error_;  // from error_cb, used to explain a failed connect
};

}  // namespace ticklake::kafka
