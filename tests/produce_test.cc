// Integration tests of `ticklake produce` against a real `ticklake broker` process over TCP, read
// back with independent clients: kcat (librdkafka) and kafka-python (/usr/bin/python3).
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

const char kPython[] = "/usr/bin/python3";

std::string Peers() { return (SourceDir() / "tests" / "produce_peers.py").string(); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Runs against the embedded broker and the real cluster (test_util.h, KafkaTarget); one broker
// per kind for the whole suite.
class ProduceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { dir_ = new TempDir("produce-test"); }
  static void TearDownTestSuite() {
    targets_.clear();
    delete dir_;
  }
  KafkaTarget& Target() {
    auto& target = targets_[GetParam()];
    if (!target) {
      target =
          std::make_unique<KafkaTarget>(GetParam(), dir_->path() / GetParam(),
                                        std::vector<std::string>{"stock_market:6", "python:6"});
    }
    return *target;
  }
  std::string Bootstrap() { return Target().bootstrap(); }
  std::string Topic(const std::string& name) { return Target().Topic(name); }

  // Runs `ticklake produce -t TOPIC` with `args` (bootstrap added) and returns the result.
  CommandResult Produce(const std::string& topic, std::vector<std::string> args) {
    std::vector<std::string> argv = {TicklakeBinary(), "produce", "-b",
                                     Bootstrap(),      "-t",      Topic(topic)};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, std::chrono::seconds(60));
  }

  // Reads a whole topic with kcat: one "partition\tkey\tvalue" line per message.
  std::vector<std::string> KcatConsume(const std::string& topic) {
    auto r = RunCommand({"kcat", "-b", Bootstrap(), "-C", "-t", Topic(topic), "-o", "beginning",
                         "-e", "-q", "-f", "%p\t%k\t%s\n"},
                        std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Lines(r.out);
  }

  static TempDir* dir_;
  static std::map<std::string, std::unique_ptr<KafkaTarget>> targets_;
};
TempDir* ProduceTest::dir_ = nullptr;
std::map<std::string, std::unique_ptr<KafkaTarget>> ProduceTest::targets_;
INSTANTIATE_TEST_SUITE_P(Brokers, ProduceTest, KafkaKinds(), KafkaKindName);

struct Summary {
  int64_t sent = -1, acknowledged = -1, failed = -1, malformed_rows = -1;
  std::string topic;
};

Summary ParseSummary(const std::string& out) {
  Summary s;
  simdjson::dom::parser parser;
  auto doc = parser.parse(out);
  if (doc.error()) {
    ADD_FAILURE() << "summary is not JSON: " << out;
    return s;
  }
  auto obj = doc.value();
  s.topic = std::string(obj["topic"].get_string().value());
  s.sent = obj["sent"].get_int64().value();
  s.acknowledged = obj["acknowledged"].get_int64().value();
  s.failed = obj["failed"].get_int64().value();
  s.malformed_rows = obj["malformed_rows"].get_int64().value();
  return s;
}

TEST_P(ProduceTest, SimulatedTicksReadBackWithKcat) {
  const int64_t n = 20000;
  auto r = Produce("stock_market",
                   {"--rate", "max", "--count", std::to_string(n), "--seed", "11", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = ParseSummary(r.out);
  EXPECT_EQ(s.topic, Topic("stock_market"));
  EXPECT_EQ(s.sent, n);
  EXPECT_EQ(s.acknowledged, n);
  EXPECT_EQ(s.failed, 0);

  auto lines = KcatConsume("stock_market");
  EXPECT_EQ(static_cast<int64_t>(lines.size()), s.acknowledged);
  std::map<std::string, std::set<int>> partitions_of_key;
  simdjson::dom::parser parser;
  int invalid = 0;
  for (const auto& line : lines) {
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    ASSERT_NE(t2, std::string::npos) << line;
    int partition = std::stoi(line.substr(0, t1));
    std::string key = line.substr(t1 + 1, t2 - t1 - 1);
    auto doc = parser.parse(line.substr(t2 + 1));
    if (doc.error()) {
      ++invalid;
      continue;
    }
    auto obj = doc.value();
    EXPECT_EQ(std::string_view(obj["Index"].get_string().value()), key);
    double open = obj["Open"].get_double().value(), high = obj["High"].get_double().value(),
           low = obj["Low"].get_double().value(), close = obj["Close"].get_double().value();
    EXPECT_TRUE(low > 0 && low <= std::min(open, close) && high >= std::max(open, close)) << line;
    EXPECT_GE(obj["Volume"].get_int64().value(), 0);
    partitions_of_key[key].insert(partition);
  }
  EXPECT_EQ(invalid, 0);
  EXPECT_EQ(partitions_of_key.size(), 14u);
  for (const auto& [key, partitions] : partitions_of_key) {
    EXPECT_EQ(partitions.size(), 1u) << key << " is on several partitions";
  }
}

TEST_P(ProduceTest, KafkaPythonReadsTheSameKeysOnJavaCompatiblePartitions) {
  // kafka-python here has no lz4 module (python3-lz4 is not installed), so this topic uses gzip,
  // which also shows that -X overrides ticklake's defaults.
  const int64_t n = 5000;
  auto r = Produce("python", {"--rate", "max", "--count", std::to_string(n), "--json", "-X",
                              "compression.type=gzip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = ParseSummary(r.out);
  EXPECT_EQ(s.acknowledged, n);
  auto py =
      RunCommand({kPython, Peers(), "consume", Bootstrap(), Topic("python"), std::to_string(n)},
                 std::chrono::seconds(60));
  ASSERT_EQ(py.exit_code, 0) << py.err;
  simdjson::dom::parser parser;
  auto stats = parser.parse(py.out).value();
  EXPECT_EQ(stats["count"].get_int64().value(), s.acknowledged) << py.out;
  EXPECT_EQ(stats["invalid_json"].get_int64().value(), 0) << py.out;
  EXPECT_EQ(stats["key_not_index"].get_int64().value(), 0) << py.out;
  EXPECT_EQ(stats["keys"].get_int64().value(), 14) << py.out;
  EXPECT_EQ(stats["keys_on_several_partitions"].get_int64().value(), 0) << py.out;
  EXPECT_EQ(stats["murmur2_mismatch"].get_int64().value(), 0) << py.out;
}

TEST_P(ProduceTest, ReplaysACsvWrittenByPythonWithTypes) {
  TempDir dir("produce-replay");
  auto w = RunCommand({kPython, Peers(), "write-csv", dir.path().string()});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto r = Produce("replay", {"--source", "csv:" + (dir.path() / "input.csv").string(), "--rate",
                              "max", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = ParseSummary(r.out);
  EXPECT_EQ(s.acknowledged, 4);
  EXPECT_EQ(s.malformed_rows, 0);
  std::string values;
  for (const auto& line : KcatConsume("replay")) {
    values += line.substr(line.find('\t', line.find('\t') + 1) + 1) + "\n";
  }
  WriteFileAtomically(dir.path() / "actual.jsonl", values);
  auto cmp = RunCommand({kPython, Peers(), "compare", (dir.path() / "expected.jsonl").string(),
                         (dir.path() / "actual.jsonl").string()});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_NE(cmp.out.find("\"equal\": true"), std::string::npos) << cmp.out;
}

TEST_P(ProduceTest, ReplaysACsvWrittenByDuckDbWithTypes) {
  // DuckDB writes NULL as an empty field and the empty string as "", quotes only when needed;
  // its own JSON export of the same rows is the expected result.
  TempDir dir("produce-duckdb");
  std::string csv = (dir.path() / "input.csv").string(),
              expected = (dir.path() / "expected.jsonl").string();
  duck::Database db;
  duck::Connection conn(db);
  const std::string rows =
      "SELECT * FROM (VALUES "
      "('NYA', DATE '1965-12-31', 528.690002::DOUBLE, 0::BIGINT, 'plain', '007'), "
      "('HSI', DATE '1986-12-31', 2568.300049, 123456789, 'comma, \"quotes\" and ' || chr(10) || "
      "'newline', ''), "
      "('N225', DATE '2021-06-02', -1.5e-05, NULL, NULL, 'x'), "
      "('J203.JO', DATE '2021-06-03', 1e300, 7, 'ünïcødé €', 'y')"
      ") t(\"Index\", \"Date\", \"Adj Close\", \"Volume\", \"Note\", \"Code\")";
  conn.Query("COPY (" + rows + ") TO " + duck::QuoteLiteral(csv) + " (HEADER, DELIMITER ',')");
  conn.Query("COPY (" + rows + ") TO " + duck::QuoteLiteral(expected) + " (FORMAT JSON)");
  auto r = Produce("duckdb", {"--source", "csv:" + csv, "--rate", "max", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseSummary(r.out).acknowledged, 4);
  std::string values;
  for (const auto& line : KcatConsume("duckdb")) {
    values += line.substr(line.find('\t', line.find('\t') + 1) + 1) + "\n";
  }
  WriteFileAtomically(dir.path() / "actual.jsonl", values);
  auto cmp =
      RunCommand({kPython, Peers(), "compare", expected, (dir.path() / "actual.jsonl").string()});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_NE(cmp.out.find("\"equal\": true"), std::string::npos) << cmp.out << "\nCSV:\n"
                                                                << ReadWholeFile(csv);
}

TEST_P(ProduceTest, BrokenRowsAreReportedAndTheRestDelivered) {
  TempDir dir("produce-broken");
  fs::path csv = dir.path() / "broken.csv";
  WriteFileAtomically(csv,
                      "Index,Close\n"
                      "NYA,1\n"
                      "HSI,2,extra\n"  // line 3
                      "N225,\"x\"y\n"  // line 4
                      "GDAXI,\xff\n"   // line 5
                      "KS11,5\n"
                      "SSMI,\"open\n");  // line 7
  auto r = Produce("broken", {"--source", "csv:" + csv.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = ParseSummary(r.out);
  EXPECT_EQ(s.acknowledged, 2);
  EXPECT_EQ(s.malformed_rows, 4);
  for (const char* expected :
       {"line 3: expected 2 fields, got 3", "line 4: unexpected character after closing quote",
        "line 5: invalid UTF-8", "line 7: unterminated quoted field"}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  }
  EXPECT_EQ(KcatConsume("broken").size(), 2u);

  auto strict = Produce("broken_strict", {"--source", "csv:" + csv.string(), "--strict"});
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_NE(strict.err.find("line 3: expected 2 fields, got 3"), std::string::npos) << strict.err;
}

TEST_P(ProduceTest, CtrlCStopsFlushesAndSummarises) {
  TempDir logs("produce-sigint");
  Subprocess p({TicklakeBinary(), "produce", "-b", Bootstrap(), "-t", Topic("sigint"), "--rate",
                "2000", "--json"},
               logs.path());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  p.Signal(SIGINT);
  EXPECT_EQ(p.Wait(std::chrono::seconds(30)), 0) << p.Stderr();
  Summary s = ParseSummary(p.Stdout());
  EXPECT_GT(s.sent, 500);
  EXPECT_EQ(s.acknowledged, s.sent);
}

TEST(ProduceErrors, UnreachableBootstrapFailsFastWithAClearMessage) {
  auto start = std::chrono::steady_clock::now();
  auto r = RunCommand(
      {TicklakeBinary(), "produce", "-b", "127.0.0.1:1", "--count", "1", "--connect-timeout", "2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_NE(r.err.find("ticklake produce: cannot reach Kafka at 127.0.0.1:1 within 2 s"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("%3|"), std::string::npos) << "librdkafka log noise: " << r.err;
}

TEST(ProduceErrors, BadFlagsFail) {
  auto unknown = RunCommand({TicklakeBinary(), "produce", "-b", "x:1", "--no-such-flag"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;
  auto no_bootstrap = RunCommand({TicklakeBinary(), "produce", "--count", "1"});
  EXPECT_NE(no_bootstrap.exit_code, 0);
  EXPECT_NE(no_bootstrap.err.find("bootstrap"), std::string::npos) << no_bootstrap.err;
  auto bad_rate = RunCommand({TicklakeBinary(), "produce", "-b", "x:1", "--rate", "fast"});
  EXPECT_NE(bad_rate.exit_code, 0);
  EXPECT_NE(bad_rate.err.find("--rate"), std::string::npos) << bad_rate.err;
  auto bad_property = RunCommand({TicklakeBinary(), "produce", "-b", "x:1", "-X", "no.such=1"});
  EXPECT_NE(bad_property.exit_code, 0);
  EXPECT_NE(bad_property.err.find("no.such"), std::string::npos) << bad_property.err;
}

TEST(ProduceOutput, DryRunWritesJsonLinesWithoutKafka) {
  auto r = RunCommand({TicklakeBinary(), "produce", "--output", "-", "--count", "28", "--rate",
                       "max", "--seed", "5", "--key-delimiter", "\\t"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 28u);
  EXPECT_TRUE(lines[0].starts_with("NYA\t{\"Index\":\"NYA\",\"Date\":\"")) << lines[0];
  auto again = RunCommand({TicklakeBinary(), "produce", "--output", "-", "--count", "28", "--rate",
                           "max", "--seed", "5", "--key-delimiter", "\\t"});
  // Same seed, same prices: lines agree up to the "ts" field (event time is the wall clock).
  auto again_lines = Lines(again.out);
  ASSERT_EQ(again_lines.size(), 28u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].substr(0, lines[i].find(",\"ts\"")),
              again_lines[i].substr(0, again_lines[i].find(",\"ts\"")));
  }
}

}  // namespace
}  // namespace ticklake::test
