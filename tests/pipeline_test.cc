// The whole pipeline as a user runs it, one process per stage: `ticklake broker`, `produce`,
// `sink`, `crawl` and `query` — over a local lake and over an s3:// lake on a signature-checking
// S3 server — and `ticklake demo`. Every acknowledged record must be in the lake exactly once.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <tuple>

#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

int64_t JsonNumber(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":(-?[0-9]+)"))) {
    ADD_FAILURE() << "no " << key << " in " << json;
    return -1;
  }
  return std::stoll(m[1]);
}

// Files under `dir` with their modification times.
std::map<std::string, fs::file_time_type> Snapshot(const fs::path& dir) {
  std::map<std::string, fs::file_time_type> files;
  if (!fs::exists(dir)) return files;
  for (auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = entry.last_write_time();
  }
  return files;
}

// Over a local and an s3:// lake, each on the embedded broker and on the real cluster.
class PipelineTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(PipelineTest, EveryAcknowledgedRecordIsQueryableExactlyOnce) {
  TempDir dir("ticklake-pipeline");
  std::vector<std::string> env;
  std::string lake = (dir.path() / "lake").string();
  std::unique_ptr<S3ServerProcess> s3;
  const auto& [lake_kind, kafka_kind] = GetParam();
  if (lake_kind == "s3") {
    s3 = std::make_unique<S3ServerProcess>(dir.path(), std::vector<std::string>{"lake"});
    env = s3->Env();
    lake = "s3://lake/warehouse";
  }
  KafkaTarget broker(kafka_kind, dir.path(), {"stock_market:6"});
  const std::string topic = broker.Topic("stock_market");
  auto produced = RunCommand({TicklakeBinary(), "produce", "-b", broker.bootstrap(), "-t", topic,
                              "--count", "20000", "--rate", "max", "--json"});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  int64_t acknowledged = JsonNumber(produced.out, "acknowledged");
  EXPECT_EQ(acknowledged, 20000);

  auto sink = RunCommand({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "-t", topic, "--lake",
                          lake, "-e", "--json", "--flush-records", "3000"},
                         std::chrono::seconds(120), env);
  ASSERT_EQ(sink.exit_code, 0) << sink.err;
  EXPECT_EQ(JsonNumber(sink.out, "records_written"), acknowledged);

  std::string catalog = (dir.path() / "catalog.db").string();
  std::string data = (dir.path() / "data").string();
  auto crawl = RunCommand({TicklakeBinary(), "crawl", "--lake", lake, "--catalog", catalog,
                           "--cache-dir", data + "/cache", "--json"},
                          std::chrono::seconds(120), env);
  ASSERT_EQ(crawl.exit_code, 0) << crawl.err;

  std::vector<std::string> query = {
      TicklakeBinary(),
      "query",
      "--catalog",
      catalog,
      "--data-dir",
      data,
      "--format",
      "csv",
      "SELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS "
      "offsets, count(DISTINCT \"index\") AS indices, "
      "count(*) FILTER (WHERE high < greatest(open, close) OR low > least(open, "
      "close)) AS bad_bars FROM " +
          topic};
  auto first = RunCommand(query, std::chrono::seconds(120), env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string expected = "n,offsets,indices,bad_bars\n" + std::to_string(acknowledged) + "," +
                         std::to_string(acknowledged) + ",14,0\n";
  EXPECT_EQ(first.out, expected);

  // A repeated query over an S3 lake is answered from the local cache: nothing is downloaded again.
  auto cached = Snapshot(fs::path(data) / "cache");
  auto second = RunCommand(query, std::chrono::seconds(120), env);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, expected);
  EXPECT_EQ(Snapshot(fs::path(data) / "cache"), cached);
  if (lake_kind == "s3") {
    EXPECT_FALSE(cached.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Lakes, PipelineTest,
                         ::testing::Combine(::testing::Values("local", "s3"), KafkaKinds()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

TEST(Demo, RunsTheWholePipelineAndChecksItsCount) {
  TempDir dir("ticklake-demo");
  auto demo = RunCommand({TicklakeBinary(), "demo", "--duration", "3", "--rate", "2000",
                          "--data-dir", (dir.path() / "data").string()},
                         std::chrono::seconds(180));
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_NE(demo.out.find("OK: 6000 records in the lake, 6000 acknowledged by Kafka"),
            std::string::npos)
      << demo.out;
  EXPECT_NE(demo.out.find("(14 rows)"), std::string::npos) << demo.out;
  EXPECT_EQ(demo.err.find("lag -1"), std::string::npos) << demo.err;  // unknown lag: not shown
  EXPECT_TRUE(fs::exists(dir.path() / "data" / "catalog.db"));
}

TEST(Demo, BadFlagsAreRejected) {
  auto demo = RunCommand({TicklakeBinary(), "demo", "--rate", "-5"});
  EXPECT_NE(demo.exit_code, 0);
  EXPECT_NE(demo.err.find("--rate"), std::string::npos) << demo.err;
}

}  // namespace
}  // namespace ticklake::test
