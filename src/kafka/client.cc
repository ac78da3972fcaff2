#include "kafka/client.h"

#include "common/error.h"

namespace ticklake::kafka {

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
  Fail("cannot reach Kafka at {} within {} s: {}", bootstrap, timeout.count() / 1000.0,
       rd_kafka_err2str(err));
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
