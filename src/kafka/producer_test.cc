#include "kafka/producer.h"

#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "common/metrics.h"
#include "kafka/embedded_broker.h"

namespace ticklake::kafka {
namespace {

// The Java client's partitioner (org.apache.kafka.common.utils.Utils.murmur2), written from its
// source, to check that keyed messages land where a Java producer would put them.
int JavaPartition(std::string_view key, int partitions) {
  const uint32_t m = 0x5bd1e995;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const uint32_t length = static_cast<uint32_t>(key.size());
  uint32_t h = 0x9747b28c ^ length;
  for (uint32_t i = 0; i < length / 4; ++i) {
    uint32_t k = data[i * 4] | (data[i * 4 + 1] << 8) | (data[i * 4 + 2] << 16) |
                 (static_cast<uint32_t>(data[i * 4 + 3]) << 24);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2] << 16;
      [[fallthrough]];
    case 2:
      h ^= data[tail + 1] << 8;
      [[fallthrough]];
    case 1:
      h ^= data[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int>((h & 0x7fffffff) % static_cast<uint32_t>(partitions));
}

// Reads every message of `topic` (all partitions, from the start) as key -> partitions seen.
std::map<std::string, std::set<int>> ConsumeAll(const std::string& bootstrap,
                                                const std::string& topic, int partitions,
                                                int64_t expected) {
  auto consumer = MakeHandle(RD_KAFKA_CONSUMER, MakeConf({{"bootstrap.servers", bootstrap},
                                                          {"group.id", "producer-test"},
                                                          {"enable.auto.commit", "false"}},
                                                         {}));
  TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), list.get());
  std::map<std::string, std::set<int>> out;
  int64_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen < expected && std::chrono::steady_clock::now() < deadline) {
    Message m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m || m->err) continue;
    out[std::string(static_cast<const char*>(m->key), m->key_len)].insert(m->partition);
    ++seen;
  }
  rd_kafka_consumer_close(consumer.get());
  return out;
}

TEST(Producer, KeyedMessagesAreAcknowledgedAndPartitionedLikeJava) {
  EmbeddedBroker broker(1, {{"ticks", 6}});
  Producer producer({broker.bootstrap(), "ticks", {}, std::chrono::seconds(10), nullptr});
  const std::vector<std::string> keys = {"NYA",  "IXIC",      "HSI",    "000001.SS", "N225",
                                         "N100", "399001.SZ", "GSPTSE", "NSEI",      "GDAXI",
                                         "KS11", "SSMI",      "TWII",   "J203.JO"};
  for (int i = 0; i < 2800; ++i) {
    producer.Send(keys[i % keys.size()], true, "{\"i\":" + std::to_string(i) + "}");
    if (i % 100 == 0) producer.Poll();
  }
  EXPECT_TRUE(producer.Flush(std::chrono::seconds(20))) << producer.last_error();
  EXPECT_EQ(producer.sent(), 2800);
  EXPECT_EQ(producer.acknowledged(), 2800);
  EXPECT_EQ(producer.failed(), 0);
  auto seen = ConsumeAll(broker.bootstrap(), "ticks", 6, 2800);
  ASSERT_EQ(seen.size(), keys.size());
  for (const auto& [key, partitions] : seen) {
    ASSERT_EQ(partitions.size(), 1u) << key << " went to several partitions";
    EXPECT_EQ(*partitions.begin(), JavaPartition(key, 6)) << key;
  }
}

TEST(Producer, BatchesKeepPerKeyOrderUnderBackpressureAndFeedTheMetrics) {
  EmbeddedBroker broker(1, {{"t", 3}});
  Counter& sent = CounterMetric("ticklake_produce_records_sent_total", "");
  Counter& acknowledged = CounterMetric("ticklake_produce_records_acknowledged_total", "");
  Histogram& latency = HistogramMetric("ticklake_produce_delivery_seconds", "");
  const int64_t sent_before = sent.Value(), acknowledged_before = acknowledged.Value(),
                observed_before = latency.Read().count;
  // A queue of 100 messages and batches of 250: every batch is refused in part and retried.
  Producer producer({broker.bootstrap(),
                     "t",
                     {{"queue.buffering.max.messages", "100"}, {"linger.ms", "1"}},
                     std::chrono::seconds(10),
                     nullptr});
  const std::vector<std::string> keys = {"a", "b", "c", "d", "e"};
  const int kCount = 5000;
  for (int i = 0; i < kCount; ++i) {
    producer.Add(keys[i % keys.size()], true, std::to_string(i));
    if (i % 250 == 249) {
      ASSERT_TRUE(producer.SendBatch());
      producer.Poll();
    }
  }
  EXPECT_TRUE(producer.Flush(std::chrono::seconds(20))) << producer.last_error();
  EXPECT_EQ(producer.acknowledged(), kCount);
  EXPECT_EQ(sent.Value() - sent_before, kCount);
  EXPECT_EQ(acknowledged.Value() - acknowledged_before, kCount);
  EXPECT_EQ(latency.Read().count - observed_before, kCount);

  // Each key's values come back in the order they were sent.
  auto consumer = MakeHandle(RD_KAFKA_CONSUMER, MakeConf({{"bootstrap.servers", broker.bootstrap()},
                                                          {"group.id", "order-test"},
                                                          {"enable.auto.commit", "false"}},
                                                         {}));
  TopicPartitionList list(rd_kafka_topic_partition_list_new(3));
  for (int p = 0; p < 3; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), "t", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer.get(), list.get());
  std::map<std::string, int> last;
  int seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen < kCount && std::chrono::steady_clock::now() < deadline) {
    Message m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m || m->err) continue;
    std::string key(static_cast<const char*>(m->key), m->key_len);
    int value = std::stoi(std::string(static_cast<const char*>(m->payload), m->len));
    auto it = last.find(key);
    if (it != last.end()) {
      EXPECT_EQ(value, it->second + static_cast<int>(keys.size())) << key;
    }
    last[key] = value;
    ++seen;
  }
  EXPECT_EQ(seen, kCount);
  rd_kafka_consumer_close(consumer.get());
}

// A producer with room for five messages whose waits for room end when `stop` is set.
ProducerOptions RoomForFive(const EmbeddedBroker& broker, const bool& stop) {
  return {broker.bootstrap(),
          "t",
          {{"queue.buffering.max.messages", "5"}},
          std::chrono::seconds(10),
          [&stop] { return stop; }};
}

TEST(Producer, AStopRequestEndsTheWaitForRoomOfABatch) {
  EmbeddedBroker broker(1, {{"t", 1}});
  bool stop = false;
  Producer producer(RoomForFive(broker, stop));
  rd_kafka_mock_broker_set_down(broker.cluster(), 1);  // nothing drains the queue
  for (int i = 0; i < 8; ++i) producer.Add("k", true, "v");
  stop = true;
  EXPECT_FALSE(producer.SendBatch());  // 5 enqueued, 3 refused for lack of room
  EXPECT_EQ(producer.failed(), 3);
  EXPECT_EQ(producer.last_error(), "stopped while waiting for room in the producer queue");
  EXPECT_FALSE(producer.Flush(std::chrono::milliseconds(500)));
  EXPECT_EQ(producer.sent(), 8);
  EXPECT_EQ(producer.sent(), producer.acknowledged() + producer.failed());
}

TEST(Producer, DefaultsAreIdempotentLz4Murmur2AndUserPropertiesWin) {
  EmbeddedBroker broker(1, {{"t", 1}});
  Producer producer(
      {broker.bootstrap(), "t", {{"compression.type", "zstd"}}, std::chrono::seconds(10), nullptr});
  auto get = [&](const char* name) {
    char value[256];
    size_t size = sizeof(value);
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf(producer.handle()), name, value, &size),
              RD_KAFKA_CONF_OK)
        << name;
    return std::string(value);
  };
  EXPECT_EQ(get("enable.idempotence"), "true");
  EXPECT_EQ(get("acks"), "-1");  // all
  EXPECT_EQ(get("compression.type"), "zstd");
  EXPECT_EQ(get("linger.ms"), "5");
  EXPECT_EQ(DefaultProducerProperties().at("partitioner"), "murmur2_random");
  EXPECT_EQ(DefaultProducerProperties().at("compression.type"), "lz4");
}

TEST(Producer, AFullQueueIsBackpressureNotLoss) {
  EmbeddedBroker broker(1, {{"t", 2}});
  // A queue of 50 messages: Send must wait for deliveries again and again.
  Producer producer({broker.bootstrap(),
                     "t",
                     {{"queue.buffering.max.messages", "50"}, {"linger.ms", "1"}},
                     std::chrono::seconds(10),
                     nullptr});
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(producer.Send("k", true, std::to_string(i)));
  EXPECT_TRUE(producer.Flush(std::chrono::seconds(20))) << producer.last_error();
  EXPECT_EQ(producer.acknowledged(), 5000);
  EXPECT_EQ(producer.failed(), 0);
}

TEST(Producer, AStopRequestEndsTheWaitForRoom) {
  EmbeddedBroker broker(1, {{"t", 1}});
  bool stop = false;
  Producer producer(RoomForFive(broker, stop));
  rd_kafka_mock_broker_set_down(broker.cluster(), 1);  // nothing drains the queue
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer.Send("k", true, "v"));
  stop = true;
  EXPECT_FALSE(producer.Send("k", true, "v"));
  EXPECT_EQ(producer.failed(), 1);
  EXPECT_FALSE(producer.Flush(std::chrono::milliseconds(500)));
  EXPECT_EQ(producer.sent(), producer.acknowledged() + producer.failed());
}

TEST(Producer, UndeliverableMessagesAreCountedAsFailed) {
  EmbeddedBroker broker(1, {{"t", 1}});
  Producer producer({broker.bootstrap(),
                     "t",
                     {{"message.timeout.ms", "300"}},
                     std::chrono::seconds(10),
                     nullptr});
  rd_kafka_mock_broker_set_down(broker.cluster(), 1);
  for (int i = 0; i < 10; ++i) producer.Send("k", true, "v");
  EXPECT_FALSE(producer.Flush(std::chrono::seconds(10)));
  EXPECT_EQ(producer.sent(), 10);
  EXPECT_EQ(producer.acknowledged(), 0);
  EXPECT_EQ(producer.failed(), 10);
  EXPECT_FALSE(producer.last_error().empty());
}

TEST(Producer, UnreachableClusterFailsWithinTheTimeout) {
  auto start = std::chrono::steady_clock::now();
  try {
    Producer producer({"127.0.0.1:1", "t", {}, std::chrono::milliseconds(1000), nullptr});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach Kafka at 127.0.0.1:1"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THROW(Producer({"127.0.0.1:1", "t", {{"no.such", "1"}}, std::chrono::seconds(1), nullptr}),
               Error);
}

}  // namespace
}  // namespace ticklake::kafka
