#include "kafka/embedded_broker.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::kafka {

TEST(TopicSpec, Parses) {
  EXPECT_EQ(ParseTopicSpec("stock_market").partitions, 6);
  auto spec = ParseTopicSpec("ticks.v1:12");
  EXPECT_EQ(spec.name, "ticks.v1");
  EXPECT_EQ(spec.partitions, 12);
  for (const char* bad : {"", ":3", "a:0", "a:x", "a b:3", "a:3x"}) {
    EXPECT_THROW(ParseTopicSpec(bad), Error) << bad;
  }
}

TEST(EmbeddedBroker, ServesMetadataOverTcp) {
  EmbeddedBroker broker(1, {{"t", 3}});
  EXPECT_TRUE(broker.bootstrap().starts_with("127.0.0.1:")) << broker.bootstrap();
  auto client =
      MakeHandle(RD_KAFKA_PRODUCER, MakeConf({{"bootstrap.servers", broker.bootstrap()}}, {}));
  WaitForCluster(client.get(), broker.bootstrap(), std::chrono::seconds(10));
  EXPECT_EQ(PartitionCount(client.get(), "t", std::chrono::seconds(10)), 3);
}

TEST(KafkaClient, UnreachableBootstrapFailsWithinTheTimeout) {
  auto client = MakeHandle(
      RD_KAFKA_PRODUCER, MakeConf({{"bootstrap.servers", "127.0.0.1:1"}, {"log_level", "0"}}, {}));
  try {
    WaitForCluster(client.get(), "127.0.0.1:1", std::chrono::milliseconds(1500));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot reach Kafka at 127.0.0.1:1"), std::string::npos)
        << e.what();
  }
}

TEST(KafkaClient, BadPropertyIsNamed) {
  try {
    MakeConf({}, {{"no.such.property", "1"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.property"), std::string::npos);
  }
  EXPECT_THROW(ParseProperty("novalue"), Error);
}

}  // namespace ticklake::kafka
