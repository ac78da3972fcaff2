#include "kafka/fetch_waker.h"

#include <gtest/gtest.h>

#include <thread>

#include "kafka/client.h"
#include "kafka/embedded_broker.h"

namespace ticklake::kafka {
namespace {

void AwaitWakes(const FetchWaker& waker, int64_t wakes) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waker.wakes() < wakes && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(waker.wakes(), wakes);
}

KafkaHandle Consumer(const EmbeddedBroker& broker) {
  return MakeHandle(
      RD_KAFKA_CONSUMER,
      MakeConf({{"bootstrap.servers", broker.bootstrap()}, {"group.id", "fetch-waker-test"}}, {}));
}

TEST(FetchWaker, AsksTheLeadersAtMostOncePerInterval) {
  EmbeddedBroker broker(3, {{"t", 6}});
  KafkaHandle consumer = Consumer(broker);
  FetchWaker waker(consumer.get(), "t", std::chrono::hours(1));
  waker.Wake({0, 1, 2, 3, 4, 5});
  AwaitWakes(waker, 1);
  waker.Wake({0});  // within the interval: dropped
  waker.Wake({1, 2});
  EXPECT_EQ(waker.wakes(), 1);
}

TEST(FetchWaker, NothingToWakeSendsNothing) {
  EmbeddedBroker broker(1, {{"t", 1}});
  KafkaHandle consumer = Consumer(broker);
  FetchWaker waker(consumer.get(), "t", std::chrono::milliseconds(0));
  waker.Wake({});
  EXPECT_EQ(waker.wakes(), 0);
}

TEST(FetchWaker, ClosesWithARequestToAStoppedClusterInFlight) {
  // The destructor waits for the request, which a cluster that is gone answers only by timeout.
  auto broker = std::make_unique<EmbeddedBroker>(1, std::vector<TopicSpec>{{"t", 2}});
  KafkaHandle consumer = Consumer(*broker);
  FetchWaker waker(consumer.get(), "t", std::chrono::milliseconds(0));
  broker.reset();
  waker.Wake({0, 1});
  AwaitWakes(waker, 1);
}

}  // namespace
}  // namespace ticklake::kafka
