#include "kafka/embedded_broker.h"

#include <charconv>

#include "common/error.h"

namespace ticklake::kafka {

TopicSpec ParseTopicSpec(const std::string& text) {
  TopicSpec spec;
  size_t colon = text.rfind(':');
  spec.name = text.substr(0, colon);
  if (colon != std::string::npos) {
    std::string_view count = std::string_view(text).substr(colon + 1);
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), spec.partitions);
    if (ec != std::errc() || end != count.data() + count.size() || spec.partitions < 1 ||
        spec.partitions > 10000) {
      Fail("invalid topic '{}': expected NAME or NAME:PARTITIONS with 1..10000 partitions", text);
    }
  }
  if (spec.name.empty() || spec.name.size() > 249)
    Fail("invalid topic '{}': bad name length", text);
  for (char c : spec.name) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      Fail("invalid topic '{}': Kafka topic names use only [a-zA-Z0-9._-]", text);
    }
  }
  return spec;
}

EmbeddedBroker::EmbeddedBroker(int brokers, const std::vector<TopicSpec>& topics) {
  if (brokers < 1 || brokers > 32) Fail("--brokers must be between 1 and 32, got {}", brokers);
  // The mock cluster needs a client handle to live in; a producer is the lightest.
  handle_ = MakeHandle(RD_KAFKA_PRODUCER, MakeConf({{"log_level", "3"}}, {}));
  cluster_ = rd_kafka_mock_cluster_new(handle_.get(), brokers);
  if (cluster_ == nullptr) Fail("cannot start the embedded Kafka broker");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  for (const auto& topic : topics) CreateTopic(topic);
}

EmbeddedBroker::~EmbeddedBroker() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

void EmbeddedBroker::CreateTopic(const TopicSpec& topic) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.name.c_str(), topic.partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Fail("cannot create topic {} with {} partitions: {}", topic.name, topic.partitions,
         rd_kafka_err2str(err));
  }
}

}  // namespace ticklake::kafka
