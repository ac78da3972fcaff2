// What only a real Apache Kafka cluster (scripts/kafka-cluster.sh) allows, with the real binary:
//  - kill -9 of the leader of the sink's partitions and a broker restart while produce and sink
//    run: every acknowledged record lands exactly once (checked record by record against the
//    topic); the console lists the sink's group through the cluster's own group listing;
//  - retention deleting records before the sink reads them is reported with the count, on a
//    partition's first assignment and on a later one;
//  - SASL_SSL with a certificate made by openssl here, for produce, sink and console through -X;
//    a wrong password and an untrusted certificate give one clear line. SCRAM-SHA-512 runs on
//    Kafka 3.9.1 and PLAIN on 4.1.1: librdkafka before 2.6.1 (Debian 12 has 2.0.2) fails SCRAM
//    against Kafka 4.x brokers, whose strict nonce check rejects its client-final message
//    (librdkafka#4895);
//  - sink and console stop within 5 s of SIGTERM once the cluster is gone (also on the embedded
//    broker).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "kafka/client.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t JsonNumber(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":(-?[0-9]+)"))) {
    ADD_FAILURE() << "no " << key << " in " << json;
    return -1;
  }
  return std::stoll(m[1]);
}

// Sum of the next offsets committed in the lake's partition state objects of `topic`.
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

// Low and high watermarks of topic[partition].
std::pair<int64_t, int64_t> Watermarks(const std::string& bootstrap, const std::string& topic,
                                       int partition) {
  kafka::KafkaHandle client =
      kafka::MakeHandle(RD_KAFKA_PRODUCER, kafka::MakeConf({{"bootstrap.servers", bootstrap}}, {}));
  int64_t low = -1, high = -1;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(client.get(), topic.c_str(), partition, &low, &high, 10000);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  return {low, high};
}

// The broker leading topic[partition].
int LeaderOf(const std::string& bootstrap, const std::string& topic, int partition) {
  kafka::KafkaHandle client =
      kafka::MakeHandle(RD_KAFKA_PRODUCER, kafka::MakeConf({{"bootstrap.servers", bootstrap}}, {}));
  rd_kafka_topic_t* handle = rd_kafka_topic_new(client.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int leader = -1;
  if (rd_kafka_metadata(client.get(), 0, handle, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      md->topic_cnt == 1 && md->topics[0].partition_cnt > partition) {
    leader = md->topics[0].partitions[partition].leader;
  }
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(handle);
  return leader;
}

// Checks the lake against the topic record by record: the same (partition, offset) pairs, once
// each, with the same content (Close, Volume and the event time of each tick).
void ExpectLakeEqualsTopic(const std::string& bootstrap, const std::string& topic,
                           const fs::path& lake, const fs::path& work, int64_t expected) {
  fs::path dump = work / "topic.tsv";
  auto read = RunCommand({"/bin/sh", "-c",
                          "kcat -b " + bootstrap + " -C -t " + topic +
                              " -o beginning -e -q -f '%p\\t%o\\t%s\\n' > " + dump.string()},
                         std::chrono::seconds(120));
  ASSERT_EQ(read.exit_code, 0) << read.err;
  duck::Database db;
  duck::Connection conn(db);
  conn.Query("CREATE TABLE t AS SELECT * FROM read_csv(" + duck::QuoteLiteral(dump.string()) +
             ", delim='\t', header=false, quote='', escape='', columns={'p': 'INTEGER', 'o': "
             "'BIGINT', 'payload': 'VARCHAR'})");
  conn.Query("CREATE TABLE l AS SELECT * FROM read_parquet(" +
             duck::QuoteLiteral((lake / topic / "**" / "*.parquet").string()) +
             ", hive_partitioning=true)");
  auto r = conn.Query(
      "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM l), "
      "(SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM l), "
      "(SELECT count(*) FROM l JOIN t ON l.kafka_partition = t.p AND l.kafka_offset = t.o "
      "WHERE l.Close = (t.payload->>'Close')::DOUBLE AND l.Volume = (t.payload->>'Volume')::BIGINT "
      "AND l.ts = (t.payload->>'ts')::TIMESTAMP)");
  EXPECT_EQ(r.GetInt64(0, 0), expected) << "records in the topic";
  EXPECT_EQ(r.GetInt64(1, 0), expected) << "records in the lake";
  EXPECT_EQ(r.GetInt64(2, 0), expected) << "distinct (partition, offset) in the lake";
  EXPECT_EQ(r.GetInt64(3, 0), expected) << "lake records equal to the topic's";
}

// `ticklake console` on a free port; url() once it serves.
class Console {
 public:
  Console(const fs::path& dir, std::vector<std::string> args) {
    std::vector<std::string> argv = {TicklakeBinary(), "console",
                                     "--listen",       "127.0.0.1:0",
                                     "--data-dir",     (dir / "console-data").string(),
                                     "--catalog",      (dir / "console-catalog.db").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Subprocess>(argv, dir / "logs");
    std::smatch m;
    EXPECT_TRUE(WaitFor(
        [&] {
          std::string err = process_->Stderr();
          if (!std::regex_search(err, m, std::regex("serving http://127.0.0.1:([0-9]+)/")))
            return false;
          port_ = std::stoi(m[1]);
          return true;
        },
        std::chrono::seconds(30)))
        << process_->Stderr();
  }
  std::string Live() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30);
    auto r = client.Get("/api/live");
    return r ? r->body : "(no response)";
  }
  Subprocess& process() { return *process_; }

 private:
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

// SIGTERM to `p`; expects a clean exit within 5 s.
void ExpectStopsWithinFiveSeconds(Subprocess& p, const std::string& what) {
  auto start = Clock::now();
  p.Signal(SIGTERM);
  int code = p.Wait(std::chrono::seconds(60));
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(code, 0) << what << ": " << p.Stderr();
  EXPECT_LT(seconds, 5.0) << what << " took " << seconds << " s to stop: " << p.Stderr();
}

TEST(KafkaFailoverTest, LeaderKillAndBrokerRestartUnderLoadLoseAndDuplicateNothing) {
  TempDir dir("ticklake-failover");
  KafkaCluster cluster(dir.path() / "cluster", 3);
  ASSERT_FALSE(cluster.bootstrap().empty());
  const std::string b = cluster.bootstrap(), topic = "failover";
  CreateTopic(b, topic, 6, 3, {{"min.insync.replicas", "2"}});
  fs::path lake = dir.path() / "lake", logs = dir.path() / "logs";
  Subprocess sink({TicklakeBinary(), "sink", "-b", b, "-t", topic, "-G", "failover-sink", "--lake",
                   lake.string(), "--flush-records", "2000", "--flush-interval", "1", "--json"},
                  logs);
  Subprocess producer({TicklakeBinary(), "produce", "-b", b, "-t", topic, "--rate", "2000",
                       "--duration", "600", "--json"},
                      logs);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, topic) > 0; }, std::chrono::seconds(60)))
      << sink.Stderr();
  // kill -9 of the broker leading partition 0 (and others): producer and sink fail over.
  int leader = LeaderOf(b, topic, 0);
  ASSERT_GE(leader, 1);
  KillKafkaNode(cluster.dir(), leader);
  int64_t at_kill = CommittedInLake(lake, topic);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, topic) > at_kill + 2000; },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  RestartKafkaNode(cluster.dir(), leader);
  // A clean restart of another broker, still under load.
  RestartKafkaNode(cluster.dir(), leader % 3 + 1);
  int64_t at_restart = CommittedInLake(lake, topic);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, topic) > at_restart + 2000; },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  ASSERT_TRUE(producer.Running()) << producer.Stderr();
  producer.Signal(SIGINT);  // flushes, then prints its summary
  ASSERT_EQ(producer.Wait(std::chrono::seconds(120)), 0) << producer.Stderr();
  int64_t acknowledged = JsonNumber(producer.Stdout(), "acknowledged");
  EXPECT_EQ(JsonNumber(producer.Stdout(), "failed"), 0) << producer.Stdout();
  ASSERT_GT(acknowledged, 20000);
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, topic) >= acknowledged; },
                      std::chrono::seconds(120)))
      << CommittedInLake(lake, topic) << " of " << acknowledged << "\n"
      << sink.Stderr();
  ExpectLakeEqualsTopic(b, topic, lake, dir.path(), acknowledged);

  // The console lists the sink's group from the cluster's own listing (no -G given).
  Console console(dir.path(), {"-b", b, "-t", topic});
  std::string live;
  EXPECT_TRUE(WaitFor(
      [&] {
        live = console.Live();
        return std::regex_search(
            live, std::regex(R"re("name":"failover-sink","state":"Stable","members":1)re"));
      },
      std::chrono::seconds(30)))
      << live;

  // The cluster goes away; the lake is complete: both stop promptly.
  cluster.Stop();
  ExpectStopsWithinFiveSeconds(sink, "sink");
  ExpectStopsWithinFiveSeconds(console.process(), "console");
  EXPECT_EQ(JsonNumber(sink.Stdout(), "records_missing"), 0);
}

TEST(KafkaGoneTest, SinkAndConsoleStopWithinFiveSecondsOnTheEmbeddedBroker) {
  TempDir dir("ticklake-gone");
  BrokerProcess broker(dir.path());
  auto produced = RunCommand(
      {TicklakeBinary(), "produce", "-b", broker.bootstrap(), "--count", "2000", "--rate", "max"});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  fs::path lake = dir.path() / "lake";
  Subprocess sink({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--lake", lake.string(),
                   "--flush-interval", "1"},
                  dir.path() / "logs");
  Console console(dir.path(), {"-b", broker.bootstrap()});
  ASSERT_TRUE(WaitFor([&] { return CommittedInLake(lake, "stock_market") == 2000; },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  broker.process().Signal(SIGKILL);
  broker.process().Wait();
  ExpectStopsWithinFiveSeconds(sink, "sink");
  ExpectStopsWithinFiveSeconds(console.process(), "console");
}

TEST(RealKafkaRetentionTest, RecordsDeletedBeforeTheSinkReadsThemAreReportedWithTheCount) {
  TempDir dir("ticklake-retention");
  const std::string b = SharedKafkaCluster();
  const std::string topic = "retention_" + std::to_string(getpid());
  // Size-based retention: at most ~1 MiB kept, in 1 MiB segments.
  CreateTopic(
      b, topic, 1, 3,
      {{"min.insync.replicas", "2"}, {"segment.bytes", "1048576"}, {"retention.bytes", "1048576"}});
  fs::path lake = dir.path() / "lake";
  // ~3 MiB of 1 KiB records, uncompressed; retention then deletes the oldest segments.
  auto produce = [&](int first) {
    fs::path file = dir.path() / ("records-" + std::to_string(first) + ".txt");
    std::ofstream out(file);
    for (int i = first; i < first + 3000; ++i)
      out << "{\"Index\":\"HSI\",\"seq\":" << i << ",\"pad\":\"" << std::string(1000, 'x')
          << "\"}\n";
    out.close();
    auto r =
        RunCommand({"kcat", "-b", b, "-P", "-t", topic, "-X", "acks=all", "-l", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  auto sink = [&] {
    return RunCommand({TicklakeBinary(), "sink", "-b", b, "-t", topic, "-G", topic, "--lake",
                       lake.string(), "-e", "--json"});
  };

  // First assignment: the lake has nothing, the topic starts after offset 0.
  ASSERT_NO_FATAL_FAILURE(produce(0));
  ASSERT_TRUE(WaitFor([&] { return Watermarks(b, topic, 0).first > 0; }, std::chrono::seconds(60)));
  // Retention may delete another segment while the sink starts: what is gone is at least `low`,
  // and every offset is either landed or reported.
  auto [low, high] = Watermarks(b, topic, 0);
  auto first = sink();
  EXPECT_EQ(first.exit_code, 2) << first.err;
  int64_t missing = JsonNumber(first.out, "records_missing");
  EXPECT_GE(missing, low) << first.out;
  EXPECT_EQ(missing + JsonNumber(first.out, "records_written"), high) << first.out;
  EXPECT_NE(first.err.find(fmt::format("{}[0]: offsets 0..{} are gone from the broker ({} records "
                                       "lost",
                                       topic, missing - 1, missing)),
            std::string::npos)
      << first.err;

  // Later: the lake resumes at `high`, but retention has moved the start beyond it.
  ASSERT_NO_FATAL_FAILURE(produce(3000));
  ASSERT_TRUE(
      WaitFor([&] { return Watermarks(b, topic, 0).first > high; }, std::chrono::seconds(60)));
  auto [low2, high2] = Watermarks(b, topic, 0);
  auto second = sink();
  EXPECT_EQ(second.exit_code, 2) << second.err;
  int64_t missing2 = JsonNumber(second.out, "records_missing");
  EXPECT_GE(missing2, low2 - high) << second.out;
  EXPECT_EQ(missing2 + JsonNumber(second.out, "records_written"), high2 - high) << second.out;
  EXPECT_EQ(CommittedInLake(lake, topic), high2);
}

// A self-signed certificate for 127.0.0.1 made with openssl: its key and certificate in one
// PEM file (the broker's keystore) and the certificate alone (the clients' trusted CA).
void MakeCertificate(const fs::path& dir, const std::string& name) {
  auto r = RunCommand(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
       "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout",
       (dir / (name + "-key.pem")).string(), "-out", (dir / (name + "-cert.pem")).string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFileAtomically(
      dir / (name + "-keystore.pem"),
      ReadWholeFile(dir / (name + "-key.pem")) + ReadWholeFile(dir / (name + "-cert.pem")));
}

struct Security {
  std::string name, mechanism, kafka_lib, wrong_password_error;
};

class KafkaSecurityTest : public ::testing::TestWithParam<Security> {};
INSTANTIATE_TEST_SUITE_P(
    Mechanisms, KafkaSecurityTest,
    ::testing::Values(Security{"ScramSha512OnKafka39", "SCRAM-SHA-512",
                               (SourceDir() / ".deps" / "kafka-3.9" / "lib").string(),
                               "Authentication failed"},
                      Security{"PlainOnKafka41", "PLAIN", "", "Invalid username or password"}),
    [](const auto& info) { return info.param.name; });

TEST_P(KafkaSecurityTest, SaslSslForProduceSinkAndConsoleAndClearErrors) {
  TempDir dir("ticklake-sasl");
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir.path(), "broker"));
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(dir.path(), "stranger"));
  KafkaCluster cluster(
      dir.path() / "cluster", 1,
      {"--sasl-ssl", (dir.path() / "broker-keystore.pem").string(), "alice:alice-secret"},
      GetParam().kafka_lib);
  ASSERT_FALSE(cluster.bootstrap().empty());
  const std::string secure = ReadWholeFile(cluster.dir() / "bootstrap-sasl-ssl");
  const std::string b = secure.substr(0, secure.find('\n'));
  CreateTopic(cluster.bootstrap(), "secure", 3, 1);
  auto props = [&](const std::string& password, const std::string& ca) {
    return std::vector<std::string>{"-X", "security.protocol=SASL_SSL",
                                    "-X", "sasl.mechanisms=" + GetParam().mechanism,
                                    "-X", "sasl.username=alice",
                                    "-X", "sasl.password=" + password,
                                    "-X", "ssl.ca.location=" + (dir.path() / ca).string()};
  };
  auto with = [](std::vector<std::string> argv, const std::vector<std::string>& more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  };
  auto good = props("alice-secret", "broker-cert.pem");

  auto produced = RunCommand(with({TicklakeBinary(), "produce", "-b", b, "-t", "secure", "--count",
                                   "1000", "--rate", "max", "--json"},
                                  good));
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  EXPECT_EQ(JsonNumber(produced.out, "acknowledged"), 1000);
  fs::path lake = dir.path() / "lake";
  auto sunk = RunCommand(with({TicklakeBinary(), "sink", "-b", b, "-t", "secure", "-G",
                               "secure-sink", "--lake", lake.string(), "-e", "--json"},
                              good));
  ASSERT_EQ(sunk.exit_code, 0) << sunk.err;
  EXPECT_EQ(JsonNumber(sunk.out, "records_written"), 1000);
  Console console(dir.path(), with({"-b", b, "-t", "secure"}, good));
  std::string live;
  EXPECT_TRUE(WaitFor(
      [&] {
        live = console.Live();
        return live.find("\"end_total\":1000") != std::string::npos &&
               live.find("\"name\":\"secure-sink\"") != std::string::npos &&
               live.find("\"committed_total\":1000") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << live;

  // A wrong password and an untrusted certificate: one clear line each, after the timeout.
  struct Case {
    std::vector<std::string> props;
    std::string expected;
  };
  for (const Case& c :
       {Case{props("wrong", "broker-cert.pem"), GetParam().wrong_password_error},
        Case{props("alice-secret", "stranger-cert.pem"), "certificate verify failed"}}) {
    for (const char* command : {"produce", "sink"}) {
      std::vector<std::string> argv = {TicklakeBinary(),    command, "-b", b, "-t", "secure",
                                       "--connect-timeout", "5"};
      if (std::string(command) == "produce") argv.insert(argv.end(), {"--count", "1"});
      if (std::string(command) == "sink") argv.insert(argv.end(), {"--lake", lake.string()});
      auto r = RunCommand(with(argv, c.props), std::chrono::seconds(60));
      EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command << ": " << r.err;
      EXPECT_NE(r.err.find(std::string("ticklake ") + command + ": cannot reach Kafka at " + b +
                           " within 5 s"),
                std::string::npos)
          << r.err;
      EXPECT_NE(r.err.find(c.expected), std::string::npos) << command << ": " << r.err;
    }
  }
}

}  // namespace
}  // namespace ticklake::test
