#include "market/feed.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"
#include "kafka/embedded_broker.h"

namespace ticklake::market {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(RunFeed, WritesCountSimulatedRecordsToAFile) {
  TempDir dir("feed-test");
  FeedOptions o;
  o.output = (dir.path() / "out.jsonl").string();
  o.key_delimiter = "\t";
  o.count = 1000;
  o.seed = 3;
  FeedSummary s = RunFeed(o, [] { return false; });
  EXPECT_EQ(s.sent, 1000);
  EXPECT_EQ(s.acknowledged, 1000);
  EXPECT_TRUE(s.ok());
  auto lines = Lines(ReadWholeFile(o.output));
  ASSERT_EQ(lines.size(), 1000u);
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos);
    simdjson::dom::element doc = parser.parse(line.substr(tab + 1)).value();
    EXPECT_EQ(std::string_view(doc["Index"].get_string().value()), line.substr(0, tab));
  }
}

TEST(RunFeed, RateAndDurationArePaced) {
  TempDir dir("feed-test");
  FeedOptions o;
  o.output = (dir.path() / "out.jsonl").string();
  o.rate = 200;
  o.duration_s = 0.5;
  auto start = std::chrono::steady_clock::now();
  FeedSummary s = RunFeed(o, [] { return false; });
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(s.sent, 100);  // exactly the messages due before the end: 0, 5 ms, ... 495 ms
  EXPECT_NEAR(elapsed, 0.5, 0.15);
  EXPECT_NEAR(s.rate(), 200, 10);
}

TEST(RunFeed, PacedCountReportsTheRequestedRate) {
  FeedOptions o;
  o.output = "/dev/null";
  o.rate = 20;
  o.count = 5;  // 5 messages at 20/s take 250 ms
  FeedSummary s = RunFeed(o, [] { return false; });
  EXPECT_EQ(s.sent, 5);
  EXPECT_NEAR(s.seconds, 0.25, 0.05);
  EXPECT_NEAR(s.rate(), 20, 2);
}

TEST(RunFeed, StopsWhenAsked) {
  TempDir dir("feed-test");
  FeedOptions o;
  o.output = (dir.path() / "out.jsonl").string();
  o.rate = 100;
  std::atomic<int> calls{0};
  FeedSummary s = RunFeed(o, [&] { return ++calls > 20; });  // no count, no duration
  EXPECT_GT(s.sent, 0);
  EXPECT_LT(s.seconds, 3);
}

TEST(RunFeed, TimeOrderReplaysAtSpeed) {
  TempDir dir("feed-test");
  WriteFileAtomically(dir.path() / "in.csv",
                      "Date,Index,Close\n2020-01-03,A,3\n2020-01-01,A,1\n2020-01-02,B,2\n");
  FeedOptions o;
  o.source = "csv:" + (dir.path() / "in.csv").string();
  o.order = "time";
  o.speed = 86400 * 4;  // one day in 250 ms
  o.output = (dir.path() / "out.jsonl").string();
  auto start = std::chrono::steady_clock::now();
  FeedSummary s = RunFeed(o, [] { return false; });
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(s.sent, 3);
  EXPECT_NEAR(elapsed, 0.5, 0.1);  // last row is two days after the first
  auto lines = Lines(ReadWholeFile(o.output));
  EXPECT_EQ(lines,
            (std::vector<std::string>{"{\"Date\":\"2020-01-01\",\"Index\":\"A\",\"Close\":1}",
                                      "{\"Date\":\"2020-01-02\",\"Index\":\"B\",\"Close\":2}",
                                      "{\"Date\":\"2020-01-03\",\"Index\":\"A\",\"Close\":3}"}));
}

TEST(RunFeed, ProducesToKafka) {
  kafka::EmbeddedBroker broker(1, {{"stock_market", 4}});
  FeedOptions o;
  o.bootstrap = broker.bootstrap();
  o.count = 5000;
  FeedSummary s = RunFeed(o, [] { return false; });
  EXPECT_EQ(s.sent, 5000);
  EXPECT_EQ(s.acknowledged, 5000);
  EXPECT_EQ(s.failed, 0);
  EXPECT_TRUE(s.last_error.empty());
  std::string json = SummaryJson("stock_market", s);
  EXPECT_TRUE(json.starts_with(
      "{\"topic\":\"stock_market\",\"sent\":5000,\"acknowledged\":5000,\"failed\":0,"
      "\"malformed_rows\":0,\"seconds\":"))
      << json;
  EXPECT_TRUE(json.ends_with(",\"last_error\":null}")) << json;
}

TEST(RunFeed, BadOptionsAreErrors) {
  FeedOptions o;
  EXPECT_THROW(RunFeed(o, nullptr), Error);  // no bootstrap, no output
  o.output = "/dev/null";
  o.source = "kafka:x";
  EXPECT_THROW(RunFeed(o, nullptr), Error);
  o.source = "sim";
  o.order = "random";
  EXPECT_THROW(RunFeed(o, nullptr), Error);  // --order is for csv sources
  o.order = "sideways";
  EXPECT_THROW(RunFeed(o, nullptr), Error);
}

}  // namespace
}  // namespace ticklake::market
