#include "kafka/producer.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/metrics.h"

namespace ticklake::kafka {

Properties DefaultProducerProperties() {
  return {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"partitioner", "murmur2_random"},
      {"compression.type", "lz4"},
      {"linger.ms", "5"},
      {"batch.num.messages", "100000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      // Connection failures are reported through error_cb (and our summary), not as log lines.
      {"log.connection.close", "false"},
  };
}

Producer::Producer(const ProducerOptions& options) : options_(options) {
  if (options_.bootstrap.empty()) Fail("no bootstrap server given (-b host:port)");
  if (options_.topic.empty()) Fail("no topic given (-t NAME)");
  auto only_error = options_.properties.find("delivery.report.only.error");
  if (only_error != options_.properties.end() && only_error->second != "false") {
    Fail(
        "-X delivery.report.only.error={} is not supported: ticklake counts acknowledged "
        "messages from their delivery reports",
        only_error->second);
  }
  Properties defaults = DefaultProducerProperties();
  defaults["bootstrap.servers"] = options_.bootstrap;
  ConfPtr conf = MakeConf(defaults, options_.properties);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Producer::OnError);
  rd_kafka_conf_set_log_cb(conf.get(), &Producer::OnLog);
  rd_kafka_conf_set_opaque(conf.get(), this);
  debug_ = options_.properties.count("debug") > 0;
  rk_ = MakeHandle(RD_KAFKA_PRODUCER, std::move(conf));
  try {
    WaitForCluster(rk_.get(), options_.bootstrap, options_.connect_timeout);
  } catch (const Error& e) {
    rd_kafka_poll(rk_.get(), 0);  // collect error_cb events for the message
    if (last_client_error_.empty()) throw;
    throw Error(fmt::format("{} ({})", e.what(), last_client_error_));
  }
  topic_ = rd_kafka_topic_new(rk_.get(), options_.topic.c_str(), nullptr);
  if (topic_ == nullptr) {
    Fail("cannot use topic '{}': {}", options_.topic, rd_kafka_err2str(rd_kafka_last_error()));
  }
}

Producer::~Producer() {
  if (topic_ != nullptr) rd_kafka_topic_destroy(topic_);
  // rk_ is destroyed next; rd_kafka_destroy purges what is still queued.
}

namespace {

struct ProducerMetrics {
  Counter& sent =
      CounterMetric("ticklake_produce_records_sent_total", "Records handed to the Kafka producer.");
  Counter& acknowledged = CounterMetric("ticklake_produce_records_acknowledged_total",
                                        "Records whose delivery the cluster confirmed.");
  Counter& failed = CounterMetric("ticklake_produce_records_failed_total",
                                  "Records that could not be delivered.");
  Histogram& latency = HistogramMetric("ticklake_produce_delivery_seconds",
                                       "From send to the cluster's acknowledgement.");
};

ProducerMetrics& Metrics() {
  static ProducerMetrics metrics;
  return metrics;
}

constexpr int kClockReuse = 256;  // delivery reports served per clock reading (DeliveryNow)

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Producer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->acknowledged_;  // the process-wide counter is updated once per poll
    // The message's opaque is its enqueue time (SendBatch), like librdkafka's own
    // rd_kafka_message_latency, but without reading the clock for every message.
    int64_t micros = self->DeliveryNow() - reinterpret_cast<intptr_t>(message->_private);
    if (micros >= 0) self->ObserveLatency(micros);
  } else {
    ++self->failed_;
    Metrics().failed.Add();
    self->last_error_ = rd_kafka_err2str(message->err);
  }
}

int64_t Producer::DeliveryNow() {
  // A non-blocking poll serves the reports that are already queued back to back, so one reading
  // serves kClockReuse of them (tens of microseconds of work, far below the latency histogram's
  // 1 ms resolution). Reports served while blocked (Flush, waiting for room) each read the clock.
  if (report_clock_uses_ > 0) {
    --report_clock_uses_;
    return report_now_us_;
  }
  report_now_us_ = MonotonicMicros();
  if (serving_nonblocking_) report_clock_uses_ = kClockReuse - 1;
  return report_now_us_;
}

void Producer::ObserveLatency(int64_t micros) {
  // Reports of messages enqueued together and served together have the same latency: they are
  // observed as one run.
  if (micros != latency_run_us_) {
    if (latency_run_count_ > 0) {
      Metrics().latency.Observe(static_cast<double>(latency_run_us_) / 1e6, latency_run_count_);
    }
    latency_run_us_ = micros;
    latency_run_count_ = 0;
  }
  ++latency_run_count_;
}

void Producer::PublishCounts() {
  Metrics().acknowledged.Add(acknowledged_ - published_acknowledged_);
  published_acknowledged_ = acknowledged_;
  if (latency_run_count_ > 0) {
    Metrics().latency.Observe(static_cast<double>(latency_run_us_) / 1e6, latency_run_count_);
    latency_run_count_ = 0;
  }
}

void Producer::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  self->last_client_error_ = reason;
  // A fatal error (e.g. the idempotent producer lost its guarantees) fails every later message;
  // remember it so the summary explains why.
  if (err == RD_KAFKA_RESP_ERR__FATAL) self->last_error_ = fmt::format("fatal: {}", reason);
}

void Producer::OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // Connection failures ("FAIL") also arrive through error_cb and end up in our one-line error
  // or summary, and warnings are about retries librdkafka handles itself; printing them would
  // bury the line that matters. Errors, and everything when -X debug=... is set, go to stderr.
  auto* self = static_cast<Producer*>(rd_kafka_opaque(rk));
  if (!self->debug_ && (level > 3 || std::string_view(facility) == "FAIL")) return;
  fmt::print(stderr, "librdkafka %{} {}: {}\n", level, facility, message);
}

void Producer::RecordFailure(std::string message) {
  ++failed_;
  last_error_ = std::move(message);
}

bool Producer::Send(std::string_view key, bool has_key, std::string_view value) {
  Add(key, has_key, value);
  return SendBatch();
}

void Producer::Add(std::string_view key, bool has_key, std::string_view value) {
  ++sent_;
  if (!has_key) key = {};
  batch_.push_back({batch_bytes_.size(), key.size(), value.size(), has_key});
  batch_bytes_.append(key);
  batch_bytes_.append(value);
}

bool Producer::SendBatch() {
  if (batch_.empty()) return true;
  Metrics().sent.Add(static_cast<int64_t>(batch_.size()));
  // batch_bytes_ no longer grows, so the pointers stay valid until it is cleared below.
  messages_.assign(batch_.size(), rd_kafka_message_t{});
  for (size_t i = 0; i < batch_.size(); ++i) {
    const Buffered& b = batch_[i];
    rd_kafka_message_t& m = messages_[i];
    char* key = batch_bytes_.data() + b.offset;
    m.key = b.has_key ? key : nullptr;
    m.key_len = b.key_size;
    m.payload = key + b.key_size;
    m.len = b.value_size;
  }
  batch_.clear();
  bool ok = true;
  size_t pending = messages_.size();  // messages_[0, pending) are still to enqueue
  while (true) {
    // The enqueue time travels as the message's opaque, for the delivery latency.
    void* now = reinterpret_cast<void*>(static_cast<intptr_t>(MonotonicMicros()));
    for (size_t i = 0; i < pending; ++i) messages_[i]._private = now;
    // RD_KAFKA_MSG_F_COPY: librdkafka copies each payload into the allocation it makes for the
    // message anyway (its key is always copied there), so batch_bytes_ is reused at once.
    rd_kafka_produce_batch(topic_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, messages_.data(),
                           static_cast<int>(pending));
    // Once the queue is full, librdkafka refuses the rest of the batch too, so the messages to
    // retry keep their order (per key: per partition).
    size_t retry = 0;
    for (size_t i = 0; i < pending; ++i) {
      rd_kafka_resp_err_t err = messages_[i].err;
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        messages_[retry++] = messages_[i];
      } else {
        RecordFailure(fmt::format("cannot enqueue message: {}", rd_kafka_err2str(err)));
      }
    }
    pending = retry;
    if (pending == 0) break;
    // Backpressure: let delivery reports free queue space, then retry the same messages.
    rd_kafka_poll(rk_.get(), 10);
    if (options_.should_stop && options_.should_stop()) {
      failed_ += static_cast<int64_t>(pending);
      last_error_ = "stopped while waiting for room in the producer queue";
      ok = false;
      break;
    }
  }
  batch_bytes_.clear();
  PublishCounts();
  return ok;
}

void Producer::Poll() {
  SendBatch();
  serving_nonblocking_ = true;
  rd_kafka_poll(rk_.get(), 0);
  serving_nonblocking_ = false;
  report_clock_uses_ = 0;
  PublishCounts();
}

bool Producer::Flush(std::chrono::milliseconds timeout) {
  SendBatch();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_flush(rk_.get(), 100);  // serves delivery reports
  }
  if (in_flight() > 0) {
    int64_t pending = in_flight();
    // The reason they are stuck, before the purge reports overwrite it.
    std::string reason = !last_error_.empty() ? last_error_ : last_client_error_;
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages come back as delivery reports with a purge error; collect them.
    for (int i = 0; i < 50 && in_flight() > 0; ++i) rd_kafka_poll(rk_.get(), 100);
    // Reports that never came: count them as failed so that sent == acknowledged + failed.
    failed_ += in_flight();
    last_error_ = fmt::format("{} message(s) not delivered within {} s{}{}", pending,
                              timeout.count() / 1000.0, reason.empty() ? "" : ": ", reason);
  }
  PublishCounts();
  return failed_ == 0;
}

}  // namespace ticklake::kafka
