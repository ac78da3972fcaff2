// EmbeddedBroker: a development Kafka cluster inside this process — librdkafka's mock cluster,
// which speaks the Kafka protocol over TCP on 127.0.0.1 (random ports), so kcat, kafka-python and
// ticklake's own clients reach it like any cluster. It keeps data in memory only, and at most
// 5 MiB or 100,000 batches per partition (older data is dropped): a development broker, not a
// durable one. Thread-safety: construct and destroy on one thread; the cluster runs its own.
#pragma once

#include <librdkafka/rdkafka.h>  // must precede rdkafka_mock.h, which uses its macros
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

#include "kafka/client.h"

namespace ticklake::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 6;
};

// Parses "name" or "name:partitions" (as given to --topic); throws Error on bad input.
TopicSpec ParseTopicSpec(const std::string& text);

class EmbeddedBroker {
 public:
  explicit EmbeddedBroker(int brokers, const std::vector<TopicSpec>& topics = {});
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;
  ~EmbeddedBroker();

  // Comma-separated host:port list for clients' bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }
  void CreateTopic(const TopicSpec& topic);
  rd_kafka_mock_cluster_t* cluster() { return cluster_; }

 private:
  KafkaHandle handle_;  // the mock cluster is owned by (and must die before) this handle
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace ticklake::kafka
