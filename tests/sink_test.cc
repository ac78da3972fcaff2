// The sink against a real broker process over TCP, with kcat as an independent producer:
// every record lands exactly once, bad records go to _errors/, crashes (kill -9) at random points
// and consumer-group rebalances lose and duplicate nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

// Writes `count` keyed tick-like messages as kcat -K '\t' input lines; returns the file.
fs::path WriteMessages(const fs::path& dir, int count,
                       const std::vector<std::string>& extra_lines = {}) {
  fs::path file = dir / "messages.txt";
  std::ofstream out(file);
  const char* symbols[] = {"HSI", "N225", "GDAXI", "NYA", "IXIC", "J203.JO", "000001.SS"};
  for (int i = 0; i < count; ++i) {
    const char* symbol = symbols[i % 7];
    out << symbol << "\t{\"Index\":\"" << symbol << "\",\"seq\":" << i
        << ",\"Close\":" << (100 + i * 0.25) << ",\"Date\":\"2026-11-27\"}\n";
  }
  for (const auto& line : extra_lines) out << line << "\n";
  return file;
}

void Produce(const std::string& bootstrap, const fs::path& file,
             const std::string& topic = "stock_market") {
  auto result =
      RunCommand({"kcat", "-b", bootstrap, "-P", "-t", topic, "-K", "\t", "-l", file.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

struct LakeCounts {
  int64_t rows = 0, distinct_offsets = 0, distinct_seq = 0;
};

LakeCounts CountLake(const fs::path& lake, const std::string& topic = "stock_market") {
  duck::Database db;
  duck::Connection conn(db);
  std::string glob = (lake / topic / "**" / "*.parquet").string();
  auto r = conn.Query(
      "SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset)), count(DISTINCT seq) FROM "
      "read_parquet(" +
      duck::QuoteLiteral(glob) + ", hive_partitioning=true)");
  return {r.GetInt64(0, 0), r.GetInt64(1, 0), r.GetInt64(2, 0)};
}

// Sum of committed next offsets across the lake's partition state objects.
int64_t CommittedInLake(const fs::path& lake, const std::string& topic = "stock_market") {
  fs::path dir = lake / "_ticklake" / "sink" / topic;
  if (!fs::exists(dir)) return 0;
  int64_t total = 0;
  for (auto& entry : fs::directory_iterator(dir)) {
    if (IsTempName(entry.path().filename().string())) continue;
    std::string text = ReadWholeFile(entry.path());
    auto pos = text.find("\"next_offset\":");
    if (pos != std::string::npos) total += std::stoll(text.substr(pos + 14));
  }
  return total;
}

std::vector<std::string> SinkArgs(const std::string& bootstrap, const fs::path& lake,
                                  std::vector<std::string> extra) {
  std::vector<std::string> argv = {TicklakeBinary(), "sink",        "-b",    bootstrap,
                                   "--lake",         lake.string(), "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

class SinkTest : public ::testing::Test {
 protected:
  TempDir dir_{"ticklake-sink-test"};
  fs::path lake_ = dir_.path() / "lake";
};

TEST_F(SinkTest, LandsEveryRecordOnceAndBadRecordsInErrors) {
  BrokerProcess broker(dir_.path());
  std::string invalid_utf8 = "HSI\t{\"Index\":\"\xff\xfe\"}";
  std::string oversized = "HSI\t{\"Index\":\"HSI\",\"pad\":\"" + std::string(3000, 'x') + "\"}";
  fs::path file = WriteMessages(dir_.path(), 5000,
                                {"HSI\tnot json at all", "HSI\t[1,2,3]", invalid_utf8, oversized,
                                 "NOKEY\t{\"seq\":-1,\"Close\":1}"});
  Produce(broker.bootstrap(), file);
  auto result = RunCommand(SinkArgs(
      broker.bootstrap(), lake_, {"-e", "--max-record-bytes", "2000", "--flush-records", "700"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"records_consumed\":5005"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"error_records\":4"), std::string::npos) << result.out;

  LakeCounts counts = CountLake(lake_);
  EXPECT_EQ(counts.rows, 5001);
  EXPECT_EQ(counts.distinct_offsets, 5001);
  EXPECT_EQ(counts.distinct_seq, 5001);
  // The record without "Index" sits in Hive's default partition.
  EXPECT_TRUE(fs::exists(lake_ / "stock_market" / "index=__HIVE_DEFAULT_PARTITION__"));
  EXPECT_TRUE(fs::exists(lake_ / "stock_market" / "index=J203.JO"));

  duck::Database db;
  duck::Connection conn(db);
  auto errors =
      conn.Query("SELECT reason, payload, payload_base64 FROM read_ndjson(" +
                 duck::QuoteLiteral((lake_ / "_errors" / "stock_market" / "*.jsonl").string()) +
                 ") ORDER BY reason");
  ASSERT_EQ(errors.RowCount(), 4u);
  std::string reasons;
  for (size_t i = 0; i < 4; ++i) reasons += *errors.GetString(0, i) + "\n";
  EXPECT_NE(reasons.find("not a JSON object"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("exceeds the limit of 2000 bytes"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("not JSON"), std::string::npos) << reasons;
  // Nothing is left in staging and no temp file is visible.
  EXPECT_FALSE(fs::exists(lake_ / "_ticklake" / "staging" / "stock_market"));
}

TEST_F(SinkTest, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  BrokerProcess broker(dir_.path());
  const int total = 30000;
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), total));
  std::mt19937 random(std::random_device{}());
  std::vector<std::string> extra = {
      "--flush-records",
      "400",
  };
  for (int round = 0; round < 3; ++round) {
    Subprocess sink(SinkArgs(broker.bootstrap(), lake_, extra), dir_.path() / "logs");
    int64_t before = CommittedInLake(lake_);
    int64_t target = before + 400 + static_cast<int64_t>(random() % 3000);
    ASSERT_TRUE(WaitFor(
        [&] {
          return CommittedInLake(lake_) >= std::min<int64_t>(target, total) || !sink.Running();
        },
        std::chrono::seconds(60)))
        << sink.Stderr();
    sink.Signal(SIGKILL);
    sink.Wait();
  }
  auto result = RunCommand(SinkArgs(broker.bootstrap(), lake_, {"-e"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  LakeCounts counts = CountLake(lake_);
  EXPECT_EQ(counts.rows, total);
  EXPECT_EQ(counts.distinct_offsets, total);
  EXPECT_EQ(counts.distinct_seq, total);
  EXPECT_EQ(CommittedInLake(lake_), total);
}

TEST_F(SinkTest, TwoGroupMembersShareAndRebalanceWithoutLoss) {
  BrokerProcess broker(dir_.path());
  const int first = 8000, second = 8000;
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), first));
  std::vector<std::string> extra = {"--flush-records", "500", "--flush-interval", "1"};
  Subprocess a(SinkArgs(broker.bootstrap(), lake_, extra), dir_.path() / "logs");
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake_) > 0; }, std::chrono::seconds(60)))
      << a.Stderr();
  Subprocess b(SinkArgs(broker.bootstrap(), lake_, extra), dir_.path() / "logs");
  // Wait until b has partitions (a rebalance happened), then add more data and let both finish.
  ASSERT_TRUE(WaitFor([&] { return b.Stderr().find("assigned") != std::string::npos; },
                      std::chrono::seconds(60)))
      << b.Stderr();
  fs::path more = dir_.path() / "more";
  fs::create_directories(more);
  std::ofstream(more / "m.txt") << "";
  {
    std::ofstream out(more / "m.txt");
    for (int i = first; i < first + second; ++i)
      out << "N225\t{\"Index\":\"N225\",\"seq\":" << i << "}\n";
  }
  Produce(broker.bootstrap(), more / "m.txt");
  ASSERT_TRUE(
      WaitFor([&] { return CommittedInLake(lake_) == first + second; }, std::chrono::seconds(90)))
      << CommittedInLake(lake_) << "\n"
      << a.Stderr() << b.Stderr();
  a.Signal(SIGTERM);
  b.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(), 0) << a.Stderr();
  EXPECT_EQ(b.Wait(), 0) << b.Stderr();
  LakeCounts counts = CountLake(lake_);
  EXPECT_EQ(counts.rows, first + second);
  EXPECT_EQ(counts.distinct_seq, first + second);
}

TEST_F(SinkTest, ALakeAheadOfTheTopicIsRefused) {
  {
    BrokerProcess broker(dir_.path() / "first");
    Produce(broker.bootstrap(), WriteMessages(dir_.path(), 500));
    ASSERT_EQ(RunCommand(SinkArgs(broker.bootstrap(), lake_, {"-e"})).exit_code, 0);
  }
  BrokerProcess fresh(dir_.path() / "second");  // a recreated topic: offsets start again at 0
  Produce(fresh.bootstrap(), WriteMessages(dir_.path(), 10));
  auto result = RunCommand(SinkArgs(fresh.bootstrap(), lake_, {"-e"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("was the topic recreated?"), std::string::npos) << result.err;
  EXPECT_EQ(CountLake(lake_).rows, 500);
}

TEST_F(SinkTest, UnreachableBootstrapFailsClearly) {
  auto result =
      RunCommand(SinkArgs("127.0.0.1:1", lake_, {"-X", "log_level=0", "--connect-timeout", "2"}),
                 std::chrono::seconds(60));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot reach Kafka at 127.0.0.1:1"), std::string::npos) << result.err;
}

TEST_F(SinkTest, BadFlagsAreRejected) {
  auto unknown = RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "--no-such-flag"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;
  auto bad = RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "--on-error", "ignore"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown --on-error 'ignore'"), std::string::npos) << bad.err;
  auto property = RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "-X", "bogus.prop=1"});
  EXPECT_EQ(property.exit_code, 1);
  EXPECT_NE(property.err.find("bogus.prop"), std::string::npos) << property.err;
}

}  // namespace
}  // namespace ticklake::test
