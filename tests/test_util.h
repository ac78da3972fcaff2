// Helpers for integration tests: run the real ticklake binary (and peers such as kcat) as child
// processes, wait for conditions instead of sleeping, and clean up even when a test fails.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ticklake::test {

// Path of the ticklake binary under test and of the source tree.
std::string TicklakeBinary();
std::filesystem::path SourceDir();

// A child process with stdout/stderr captured to files. The destructor kills it (SIGKILL) and
// reaps it if it is still running.
class Subprocess {
 public:
  Subprocess(std::vector<std::string> argv, std::filesystem::path log_dir,
             std::vector<std::string> extra_env = {});
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  int pid() const { return pid_; }
  void Signal(int signal);
  // Waits for exit; returns the exit code (128+signal when killed). Fails the test on timeout.
  int Wait(std::chrono::seconds timeout = std::chrono::seconds(120));
  bool Running();
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  int pid_ = -1;
  int status_ = -1;
  std::filesystem::path stdout_path_, stderr_path_;
};

// Runs a command to completion; returns {exit code, stdout}. stderr goes to the test log.
struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
CommandResult RunCommand(std::vector<std::string> argv,
                         std::chrono::seconds timeout = std::chrono::seconds(120),
                         std::vector<std::string> extra_env = {});

// The message of the ticklake::Error that `f` throws, or "(no error)".
std::string ErrorMessageOf(const std::function<void()>& f);

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Starts `ticklake broker` with the given extra args and waits for its bootstrap file.
class BrokerProcess {
 public:
  explicit BrokerProcess(const std::filesystem::path& dir,
                         std::vector<std::string> extra_args = {});
  const std::string& bootstrap() const { return bootstrap_; }
  Subprocess& process() { return *process_; }

 private:
  std::unique_ptr<Subprocess> process_;
  std::string bootstrap_;
};

// Starts the signature-checking S3 server (@20minutes/s3rver, keys S3RVER/S3RVER) on a free
// loopback port with the given buckets, and stops it on destruction.
class S3ServerProcess {
 public:
  S3ServerProcess(const std::filesystem::path& dir, std::vector<std::string> buckets);
  const std::string& endpoint() const { return endpoint_; }
  // Environment for child processes that should use this server.
  std::vector<std::string> Env() const;

 private:
  std::unique_ptr<Subprocess> process_;
  std::string endpoint_;
};

// A real Apache Kafka cluster of its own (scripts/kafka-cluster.sh) under `dir`: started by the
// constructor (fails the test if it does not come up), stopped by the destructor. `extra` are
// more arguments of `kafka-cluster.sh start`, e.g. {"--sasl-ssl", pem, "user:password"};
// `kafka_lib` another Kafka's jars (KAFKA_LIB), e.g. .deps/kafka-3.9/lib.
class KafkaCluster {
 public:
  KafkaCluster(const std::filesystem::path& dir, int brokers, std::vector<std::string> extra = {},
               const std::string& kafka_lib = "");
  KafkaCluster(const KafkaCluster&) = delete;
  KafkaCluster& operator=(const KafkaCluster&) = delete;
  ~KafkaCluster();
  const std::string& bootstrap() const { return bootstrap_; }
  const std::filesystem::path& dir() const { return dir_; }
  void Stop();

 private:
  std::filesystem::path dir_;
  std::string bootstrap_;
  bool running_ = false;
};

// kill -9 / restart of node `id` (1-3) of the cluster in `dir`, through kafka-cluster.sh.
void KillKafkaNode(const std::filesystem::path& dir, int id);
void RestartKafkaNode(const std::filesystem::path& dir, int id);

// The real 3-broker cluster shared by every test of this run: the one the ctest fixture started
// (TICKLAKE_KAFKA_CLUSTER names its directory, see CMakeLists.txt), or else one started on first
// use and stopped when the process exits.
const std::filesystem::path& SharedKafkaClusterDir();
std::string SharedKafkaCluster();

// Creates a topic through the admin API (CreateTopics) and waits until every partition has a
// leader. `configs` are topic configs such as retention.ms. Fails the test on error.
void CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                 int replication_factor, const std::map<std::string, std::string>& configs = {},
                 const std::map<std::string, std::string>& client_properties = {});

// The broker a Kafka-facing integration test runs against. Parameterised suites run on both:
//   INSTANTIATE_TEST_SUITE_P(Brokers, SomeTest, KafkaKinds(), KafkaKindName);
// "Embedded" is a `ticklake broker` process of the test's own; "RealKafka" the shared real cluster
// (replication factor 3, min.insync.replicas 2), where each test's topics get names of their own.
// ctest runs the tests whose names contain "RealKafka" with the shared cluster fixture.
inline const char kEmbedded[] = "Embedded";
inline const char kRealKafka[] = "RealKafka";
::testing::internal::ParamGenerator<std::string> KafkaKinds();
std::string KafkaKindName(const ::testing::TestParamInfo<std::string>& info);

class KafkaTarget {
 public:
  // `topics` ("name:partitions") exist from the start: on the embedded broker given to
  // `ticklake broker`, on the real cluster created under names unique to this test.
  KafkaTarget(const std::string& kind, const std::filesystem::path& dir,
              const std::vector<std::string>& topics = {});
  bool real() const { return !broker_; }
  const std::string& bootstrap() const { return bootstrap_; }
  // The name of `topic` on this target: itself on the embedded broker (which creates unknown
  // topics with 4 partitions on first use); on the real cluster a name of this test's own,
  // created with `partitions` partitions on first use.
  std::string Topic(const std::string& topic, int partitions = 6);
  BrokerProcess* embedded() { return broker_.get(); }

 private:
  std::unique_ptr<BrokerProcess> broker_;
  std::string bootstrap_;
  std::map<std::string, std::string> names_;
};

}  // namespace ticklake::test
