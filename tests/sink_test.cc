// The sink against a real broker process over TCP, with kcat as an independent producer:
// every record lands exactly once, bad records go to _errors/, crashes (kill -9) at random points
// and consumer-group rebalances lose and duplicate nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

// Messages with seq = first .. count-1, keyed by symbol, as kcat -K '\t' input lines.
fs::path WriteMessages(const fs::path& dir, int count, int first = 0,
                       const std::vector<std::string>& extra_lines = {}) {
  fs::path file = dir / ("messages-" + std::to_string(first) + ".txt");
  std::ofstream out(file);
  const char* symbols[] = {"HSI", "N225", "GDAXI", "NYA", "IXIC", "J203.JO", "000001.SS"};
  for (int i = first; i < count; ++i) {
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

LakeCounts CountLake(const fs::path& lake, const std::string& topic) {
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
int64_t CommittedInLake(const fs::path& lake, const std::string& topic) {
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
                                  std::vector<std::string> extra,
                                  const std::string& topic = "stock_market") {
  std::vector<std::string> argv = {TicklakeBinary(), "sink",        "-b",    bootstrap, "-t", topic,
                                   "--lake",         lake.string(), "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

class SinkTest : public ::testing::Test {
 protected:
  TempDir dir_{"ticklake-sink-test"};
  fs::path lake_ = dir_.path() / "lake";
};

// The same on the embedded broker and on the real cluster (test_util.h, KafkaTarget): each test
// makes `broker` with a 6-partition topic whose name there is `topic`.
class SinkOnBrokerTest : public SinkTest, public ::testing::WithParamInterface<std::string> {};
INSTANTIATE_TEST_SUITE_P(Brokers, SinkOnBrokerTest, KafkaKinds(), KafkaKindName);

TEST_P(SinkOnBrokerTest, LandsEveryRecordOnceAndBadRecordsInErrors) {
  KafkaTarget broker(GetParam(), dir_.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  std::string invalid_utf8 = "HSI\t{\"Index\":\"\xff\xfe\"}";
  std::string oversized = "HSI\t{\"Index\":\"HSI\",\"pad\":\"" + std::string(3000, 'x') + "\"}";
  fs::path file = WriteMessages(dir_.path(), 5000, 0,
                                {"HSI\tnot json at all", "HSI\t[1,2,3]", invalid_utf8, oversized,
                                 "NOKEY\t{\"seq\":-1,\"Close\":1}"});
  Produce(broker.bootstrap(), file, topic);
  auto result =
      RunCommand(SinkArgs(broker.bootstrap(), lake_,
                          {"-e", "--max-record-bytes", "2000", "--flush-records", "700"}, topic));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"records_consumed\":5005"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"error_records\":4"), std::string::npos) << result.out;

  LakeCounts counts = CountLake(lake_, topic);
  EXPECT_EQ(counts.rows, 5001);
  EXPECT_EQ(counts.distinct_offsets, 5001);
  EXPECT_EQ(counts.distinct_seq, 5001);
  // The record without "Index" sits in Hive's default partition.
  EXPECT_TRUE(fs::exists(lake_ / topic / "index=__HIVE_DEFAULT_PARTITION__"));
  EXPECT_TRUE(fs::exists(lake_ / topic / "index=J203.JO"));

  duck::Database db;
  duck::Connection conn(db);
  // --compression auto: files this small (at most 700 records) are snappy.
  auto codecs = conn.Query(
      "SELECT string_agg(DISTINCT lower(compression), ',') FROM "
      "parquet_metadata(" +
      duck::QuoteLiteral((lake_ / topic / "*" / "*.parquet").string()) + ")");
  EXPECT_EQ(codecs.GetString(0, 0), "snappy");
  auto errors = conn.Query("SELECT reason, payload, payload_base64 FROM read_ndjson(" +
                           duck::QuoteLiteral((lake_ / "_errors" / topic / "*.jsonl").string()) +
                           ") ORDER BY reason");
  ASSERT_EQ(errors.RowCount(), 4u);
  std::string reasons;
  for (size_t i = 0; i < 4; ++i) reasons += *errors.GetString(0, i) + "\n";
  EXPECT_NE(reasons.find("not a JSON object"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("exceeds the limit of 2000 bytes"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("not JSON"), std::string::npos) << reasons;
  // Nothing is left in staging and no temp file is visible.
  EXPECT_FALSE(fs::exists(lake_ / "_ticklake" / "staging" / topic));
}

// Every record's content is a function of its seq, so the lake can be checked record by record.
void ExpectExactlyOnce(const fs::path& lake, int64_t total, const std::string& topic) {
  LakeCounts counts = CountLake(lake, topic);
  EXPECT_EQ(counts.rows, total);
  EXPECT_EQ(counts.distinct_offsets, total);
  EXPECT_EQ(counts.distinct_seq, total);
  duck::Database db;
  duck::Connection conn(db);
  auto wrong = conn.Query("SELECT count(*) FROM read_parquet(" +
                          duck::QuoteLiteral((lake / topic / "**" / "*.parquet").string()) +
                          ", hive_partitioning=true) WHERE Close IS DISTINCT FROM 100 + seq * 0.25 "
                          "OR seq < 0 OR seq >= " +
                          std::to_string(total));
  EXPECT_EQ(wrong.GetInt64(0, 0), 0);
  EXPECT_EQ(CommittedInLake(lake, topic), total);
  EXPECT_FALSE(fs::exists(lake / "_ticklake" / "staging" / topic));
}

// Kills a sink with SIGKILL once the lake has moved past a random point, plus a random jitter so
// kills land in every phase (consuming, encoding, staging, committing, publishing).
void KillAtRandomPoint(Subprocess& sink, const fs::path& lake, int64_t total, std::mt19937& random,
                       const std::string& topic) {
  int64_t target = std::min<int64_t>(
      CommittedInLake(lake, topic) + 1 + static_cast<int64_t>(random() % 2500), total);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, topic) >= target || !sink.Running(); },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  std::this_thread::sleep_for(std::chrono::microseconds(random() % 150'000));
  ASSERT_TRUE(sink.Running()) << "the sink exited by itself: " << sink.Stderr();
  sink.Signal(SIGKILL);
  sink.Wait();
}

TEST_P(SinkOnBrokerTest, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  KafkaTarget broker(GetParam(), dir_.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  const int total = 30000;
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), total), topic);
  std::mt19937 random(std::random_device{}());
  // 20 crashes of a single sink. Each restart joins a new group: the lake, not the group's
  // committed offsets, says where to resume — and the embedded broker makes a restarted member
  // of the same group wait for the dead one's session to time out.
  for (int round = 0; round < 20; ++round) {
    Subprocess sink(
        SinkArgs(broker.bootstrap(), lake_,
                 {"--flush-records", "300", "-G", "crash-" + std::to_string(round)}, topic),
        dir_.path() / "logs");
    KillAtRandomPoint(sink, lake_, total, random, topic);
  }
  // Then two members of one group, one of them killed and restarted a few times.
  std::vector<std::string> pair = {"--flush-records", "300", "-G", "pair"};
  Subprocess steady(SinkArgs(broker.bootstrap(), lake_, pair, topic), dir_.path() / "logs");
  for (int round = 0; round < 3; ++round) {
    Subprocess victim(SinkArgs(broker.bootstrap(), lake_, pair, topic), dir_.path() / "logs");
    KillAtRandomPoint(victim, lake_, total, random, topic);
  }
  ASSERT_TRUE(
      WaitFor([&] { return CommittedInLake(lake_, topic) == total; }, std::chrono::seconds(120)))
      << CommittedInLake(lake_, topic) << steady.Stderr();
  steady.Signal(SIGKILL);
  steady.Wait();
  ExpectExactlyOnce(lake_, total, topic);
}

TEST_P(SinkOnBrokerTest, MembersJoiningAndLeavingMidStreamLoseNothing) {
  KafkaTarget broker(GetParam(), dir_.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  const int batch = 6000;
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), batch), topic);
  std::vector<std::string> extra = {"--flush-records", "500", "--flush-interval", "1"};
  Subprocess a(SinkArgs(broker.bootstrap(), lake_, extra, topic), dir_.path() / "logs");
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake_, topic) > 0; }, std::chrono::seconds(60)))
      << a.Stderr();
  Subprocess b(SinkArgs(broker.bootstrap(), lake_, extra, topic), dir_.path() / "logs");
  // b joins: a rebalance hands it some partitions while data keeps arriving.
  ASSERT_TRUE(WaitFor([&] { return b.Stderr().find("assigned") != std::string::npos; },
                      std::chrono::seconds(60)))
      << b.Stderr();
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), 2 * batch, batch), topic);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake_, topic) >= 2 * batch; },
                      std::chrono::seconds(90)));
  // a leaves cleanly mid-stream: b takes over every partition.
  a.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(), 0) << a.Stderr();
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), 3 * batch, 2 * batch), topic);
  ASSERT_TRUE(
      WaitFor([&] { return CommittedInLake(lake_, topic) == 3 * batch; }, std::chrono::seconds(90)))
      << CommittedInLake(lake_, topic) << "\n"
      << b.Stderr();
  b.Signal(SIGTERM);
  EXPECT_EQ(b.Wait(), 0) << b.Stderr();
  ExpectExactlyOnce(lake_, 3 * batch, topic);
}

TEST_P(SinkOnBrokerTest, JsonLinesWithTimePartitions) {
  KafkaTarget broker(GetParam(), dir_.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), 1000), topic);
  auto result = RunCommand(
      SinkArgs(broker.bootstrap(), lake_,
               {"-e", "--format", "jsonl.gz", "--partition-by", "dt=day(Date),Index"}, topic));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_TRUE(fs::exists(lake_ / topic / "dt=2026-11-27" / "index=HSI"));
  duck::Database db;
  duck::Connection conn(db);
  auto r = conn.Query(
      "SELECT count(*), count(DISTINCT seq), count(Date), count(*) FILTER (WHERE Index IS NOT "
      "NULL) FROM read_ndjson(" +
      duck::QuoteLiteral((lake_ / topic / "*" / "*" / "*.jsonl.gz").string()) +
      ", hive_partitioning=false, columns={seq: 'BIGINT', Date: 'DATE', Close: 'DOUBLE', Index: "
      "'VARCHAR'})");
  EXPECT_EQ(r.GetInt64(0, 0), 1000);
  EXPECT_EQ(r.GetInt64(1, 0), 1000);
  EXPECT_EQ(r.GetInt64(2, 0), 1000);  // the time source stays in the data
  EXPECT_EQ(r.GetInt64(3, 0), 0);     // the partition field does not
}

TEST_P(SinkOnBrokerTest, CatalogIsKeptCurrentWithoutACrawler) {
  KafkaTarget broker(GetParam(), dir_.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  std::string catalog = (dir_.path() / "catalog.db").string();
  Subprocess sink(
      SinkArgs(broker.bootstrap(), lake_, {"--catalog", catalog, "--flush-interval", "1"}, topic),
      dir_.path() / "logs");
  auto count = [&] {
    auto r = RunCommand({TicklakeBinary(), "query", "--catalog", catalog, "--data-dir",
                         (dir_.path() / "data").string(), "--format", "csv",
                         "SELECT count(*) AS n, count(DISTINCT \"index\") AS i FROM " + topic});
    return r.exit_code == 0 ? r.out : r.err;
  };
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), 700), topic);
  ASSERT_TRUE(WaitFor([&] { return count() == "n,i\n700,7\n"; }, std::chrono::seconds(60)))
      << count();
  Produce(broker.bootstrap(), WriteMessages(dir_.path(), 1500, 700), topic);
  ASSERT_TRUE(WaitFor([&] { return count() == "n,i\n1500,7\n"; }, std::chrono::seconds(60)))
      << count();
  sink.Signal(SIGTERM);
  EXPECT_EQ(sink.Wait(), 0) << sink.Stderr();
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
  EXPECT_EQ(CountLake(lake_, "stock_market").rows, 500);
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
  auto size = RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "--max-buffer-bytes", "lots"});
  EXPECT_EQ(size.exit_code, 1);
  EXPECT_NE(size.err.find("--max-buffer-bytes"), std::string::npos) << size.err;
  EXPECT_NE(size.err.find("lots"), std::string::npos) << size.err;
  auto zero = RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "--flush-bytes", "0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.err.find("must be positive"), std::string::npos) << zero.err;
}

TEST_F(SinkTest, FlagsThatDoNotFitTogetherAreRejectedBeforeAnythingIsCreated) {
  // As a user runs it: default lake folder (ticklake-data/lake), relative to a fresh directory.
  const fs::path fresh = dir_.path() / "fresh";
  fs::create_directories(fresh);
  auto sink = [&](const std::string& flags) {
    return RunCommand({"sh", "-c",
                       "cd '" + fresh.string() + "' && exec '" + TicklakeBinary() +
                           "' sink -b 127.0.0.1:1 " + flags});
  };
  const std::pair<std::string, std::string> cases[] = {
      {"--compression brotli", "unknown Parquet compression 'brotli'"},
      {"--format jsonl --compression zstd",
       "--compression zstd applies to Parquet files, not jsonl"},
      {"--format csv", "unknown lake format 'csv'"},
      {"--table-format delta", "unknown --table-format 'delta'"},
      {"--table-format iceberg --format jsonl", "Iceberg tables are written as Parquet, not jsonl"},
      {"--table-format iceberg --compression snappy",
       "--compression snappy: Iceberg tables are written with zstd"},
  };
  for (const auto& [flags, error] : cases) {
    auto result = sink(flags);
    EXPECT_EQ(result.exit_code, 1) << flags;
    EXPECT_NE(result.err.find(error), std::string::npos) << flags << ": " << result.err;
    EXPECT_TRUE(fs::is_empty(fresh))
        << flags << " left " << fs::begin(fs::directory_iterator(fresh))->path();
  }
}

}  // namespace
}  // namespace ticklake::test
