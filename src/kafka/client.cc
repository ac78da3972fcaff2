#include "kafka/client.h"

#include <fmt/format.h>

#include <mutex>

#include "common/error.h"

namespace ticklake::kafka {
namespace {

std::mutex errors_mu;
std::map<const rd_kafka_t*, std::string>& LastErrors() {
  static auto* errors = new std::map<const rd_kafka_t*, std::string>;
  return *errors;
}

void KeepError(rd_kafka_t* rk, int, const char* reason, void*) {
  std::lock_guard lock(errors_mu);
  LastErrors()[rk] = reason;
}

void FilteredLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const rd_kafka_conf_t* conf = rd_kafka_conf(const_cast<rd_kafka_t*>(rk));
  char debug[512] = "";
  size_t size = sizeof(debug);
  bool debugging = rd_kafka_conf_get(conf, "debug", debug, &size) == RD_KAFKA_CONF_OK && debug[0];
  if (!debugging && (level > 3 || std::string_view(facility) == "FAIL")) return;
  fmt::print(stderr, "librdkafka %{} {}: {}\n", level, facility, message);
}

}  // namespace

void ForgetClientError(const rd_kafka_t* rk) {
  std::lock_guard lock(errors_mu);
  LastErrors().erase(rk);
}

std::string LastClientError(const rd_kafka_t* rk) {
  std::lock_guard lock(errors_mu);
  auto it = LastErrors().find(rk);
  return it == LastErrors().end() ? "" : it->second;
}

std::pair<std::string, std::string> ParseProperty(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) Fail("invalid property '{}': expected key=value", text);
  return {text.substr(0, eq), text.substr(eq + 1)};
}

Properties ParseProperties(const std::vector<std::string>& texts) {
  Properties out;
  for (const auto& text : texts)
    out.insert_or_assign(ParseProperty(text).first, ParseProperty(text).second);
  return out;
}

ConfPtr MakeConf(const Properties& defaults, const Properties& overrides) {
  ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set_error_cb(conf.get(), &KeepError);
  rd_kafka_conf_set_log_cb(conf.get(), &FilteredLog);
  char error[512];
  for (const Properties* props : {&defaults, &overrides}) {
    for (const auto& [key, value] : *props) {
      if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), error, sizeof(error)) !=
          RD_KAFKA_CONF_OK) {
        Fail("Kafka property {}={}: {}", key, value, error);
      }
    }
  }
  return conf;
}

KafkaHandle MakeHandle(rd_kafka_type_t type, ConfPtr conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof(error));
  if (rk == nullptr) Fail("cannot create Kafka client: {}", error);
  conf.release();  // rd_kafka_new took ownership
  return KafkaHandle(rk);
}

void WaitForCluster(rd_kafka_t* rk, const std::string& bootstrap,
                    std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, nullptr, &metadata, static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(metadata);
    return;
  }
  rd_kafka_poll(rk, 0);  // serves the error callback
  std::string last = LastClientError(rk);
  Fail("cannot reach Kafka at {} within {} s: {}{}", bootstrap, timeout.count() / 1000.0,
       rd_kafka_err2str(err), last.empty() ? "" : fmt::format(" (last error: {})", last));
}

bool CloseConsumer(KafkaHandle& consumer, std::chrono::milliseconds limit) {
  if (!consumer) return true;
  auto deadline = std::chrono::steady_clock::now() + limit;
  rd_kafka_queue_t* queue = rd_kafka_queue_new(consumer.get());
  bool closed = false;
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(consumer.get(), queue)) {
    rd_kafka_error_destroy(error);  // not a group member: nothing to leave
    closed = true;
  } else {
    while (!(closed = rd_kafka_consumer_closed(consumer.get())) &&
           std::chrono::steady_clock::now() < deadline) {
      // Serves callbacks (the rebalance callback); what comes back as an event (a prefetched
      // message, an error) is dropped, and a rebalance without a callback is answered.
      rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 50);
      if (event && rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) {
        if (std::string_view(rd_kafka_rebalance_protocol(consumer.get())) == "COOPERATIVE") {
          if (auto* e = rd_kafka_incremental_unassign(consumer.get(),
                                                      rd_kafka_event_topic_partition_list(event)))
            rd_kafka_error_destroy(e);
        } else {
          rd_kafka_assign(consumer.get(), nullptr);
        }
      }
      if (event) rd_kafka_event_destroy(event);
    }
  }
  rd_kafka_queue_destroy(queue);
  ForgetClientError(consumer.get());
  if (!closed) {
    // Destroying the handle would wait for the group's termination, that is for the same
    // coordinator, until the session times out: the handle is abandoned to the exiting process.
    (void)consumer.release();
    return false;
  }
  rd_kafka_destroy_flags(consumer.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  return true;
}

int PartitionCount(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, handle, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    Fail("metadata for topic {}: {}", topic, rd_kafka_err2str(err));
  int count = 0;
  if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

}  // namespace ticklake::kafka
