// Shared pieces of every librdkafka client ticklake makes (producer, consumer, admin look-ups):
// RAII handles, configuration from kcat-style `-X key=value` properties with errors that name the
// property, and a bounded wait for the cluster so an unreachable bootstrap server gives a clear
// error instead of a hang. Thread-safety: as librdkafka's (handles are thread-safe).
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ticklake::kafka {

// Forgets what LastClientError() kept for `rk` (before it is destroyed).
void ForgetClientError(const rd_kafka_t* rk);

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* rk) const {
    ForgetClientError(rk);
    rd_kafka_destroy(rk);
  }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using TopicPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

using Properties = std::map<std::string, std::string>;

// Parses "key=value" (as given to -X); throws Error on a missing '='.
std::pair<std::string, std::string> ParseProperty(const std::string& text);
Properties ParseProperties(const std::vector<std::string>& texts);

// The last error librdkafka reported for `rk` through MakeConf's error callback ("" if none);
// served by rd_kafka_poll on handles whose main queue is not redirected.
std::string LastClientError(const rd_kafka_t* rk);

// Builds a configuration: `defaults` first, then `overrides` (the user's -X wins).
// Throws Error naming the property librdkafka rejected. Its error callback keeps each client's
// last error (LastClientError), and its log callback drops connection failures ("FAIL": they
// are errors too, and WaitForCluster names the last one in its single line) and anything
// below errors, unless -X debug is set; callers may set their own callbacks instead.
ConfPtr MakeConf(const Properties& defaults, const Properties& overrides);

// Creates a producer or consumer handle, taking ownership of `conf`.
KafkaHandle MakeHandle(rd_kafka_type_t type, ConfPtr conf);

// Waits until the cluster answers a metadata request, or throws Error after `timeout` naming
// the bootstrap servers and librdkafka's last error (e.g. a failed SASL authentication or TLS
// handshake).
void WaitForCluster(rd_kafka_t* rk, const std::string& bootstrap,
                    std::chrono::milliseconds timeout);

// Closes a consumer-group member as rd_kafka_consumer_close does (callbacks such as the rebalance
// callback run on this thread, outstanding commits are sent, the group is left) and destroys
// it, but gives up after `limit`: when the cluster is gone, librdkafka would wait for the group
// coordinator until the session times out. Then the handle is abandoned, not destroyed (that
// would wait just the same), and false returned: for processes about to exit.
bool CloseConsumer(KafkaHandle& consumer, std::chrono::milliseconds limit);

// The number of partitions of `topic`, or 0 when the cluster does not know it.
int PartitionCount(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout);

}  // namespace ticklake::kafka
