#include "tests/test_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/file_util.h"
#include "kafka/client.h"

extern char** environ;

namespace ticklake::test {
namespace fs = std::filesystem;

std::string TicklakeBinary() { return TICKLAKE_BINARY; }
fs::path SourceDir() { return TICKLAKE_SOURCE_DIR; }

namespace {
std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

Subprocess::Subprocess(std::vector<std::string> argv, fs::path log_dir,
                       std::vector<std::string> extra_env) {
  static int counter = 0;
  fs::create_directories(log_dir);
  std::string base = fs::path(argv[0]).filename().string() + "." + std::to_string(getpid()) + "." +
                     std::to_string(counter++);
  stdout_path_ = log_dir / (base + ".out");
  stderr_path_ = log_dir / (base + ".err");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  // Temporary files go under log_dir (a test's own folder, removed with it), unless the test sets
  // TMPDIR: a process the test kills (kill -9) cannot remove its own.
  bool tmpdir_set = std::any_of(extra_env.begin(), extra_env.end(),
                                [](const std::string& e) { return e.starts_with("TMPDIR="); });
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    if (!tmpdir_set && std::string_view(*e).starts_with("TMPDIR=")) continue;
    env_strings.emplace_back(*e);
  }
  if (!tmpdir_set) {
    fs::path tmp = log_dir / "_tmp";  // '_': not data to the crawler when log_dir is a lake
    fs::create_directories(tmp);
    env_strings.push_back("TMPDIR=" + tmp.string());
  }
  for (auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << strerror(rc);
  }
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && status_ < 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Subprocess::Signal(int signal) {
  if (pid_ > 0 && status_ < 0) kill(pid_, signal);
}

bool Subprocess::Running() {
  if (pid_ <= 0 || status_ >= 0) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

int Subprocess::Wait(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  bool done = WaitFor([&] { return !Running(); }, timeout);
  if (!done) {
    ADD_FAILURE() << "process " << pid_ << " did not exit within " << timeout.count() << " s";
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string Subprocess::Stdout() const { return Slurp(stdout_path_); }
std::string Subprocess::Stderr() const { return Slurp(stderr_path_); }

CommandResult RunCommand(std::vector<std::string> argv, std::chrono::seconds timeout,
                         std::vector<std::string> extra_env) {
  TempDir logs("ticklake-cmd");
  Subprocess p(std::move(argv), logs.path(), std::move(extra_env));
  int code = p.Wait(timeout);
  return {code, p.Stdout(), p.Stderr()};
}

std::string ErrorMessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

BrokerProcess::BrokerProcess(const fs::path& dir, std::vector<std::string> extra_args) {
  fs::path file = dir / "bootstrap.txt";
  std::vector<std::string> argv = {TicklakeBinary(), "broker", "--bootstrap-file", file.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Subprocess>(argv, dir / "logs");
  bool ready = WaitFor(
      [&] {
        if (!fs::exists(file)) return false;
        bootstrap_ = Slurp(file);
        while (!bootstrap_.empty() && isspace(static_cast<unsigned char>(bootstrap_.back())))
          bootstrap_.pop_back();
        return !bootstrap_.empty();
      },
      std::chrono::seconds(30));
  if (!ready) ADD_FAILURE() << "broker did not write " << file << ": " << process_->Stderr();
}

S3ServerProcess::S3ServerProcess(const fs::path& dir, std::vector<std::string> buckets) {
  fs::path data = dir / "s3rver-data";
  fs::path file = dir / "s3rver-endpoint.txt";
  fs::create_directories(data);
  std::vector<std::string> argv = {"node", (SourceDir() / "tests" / "peers" / "s3rver.js").string(),
                                   data.string(), file.string()};
  argv.insert(argv.end(), buckets.begin(), buckets.end());
  process_ = std::make_unique<Subprocess>(
      argv, dir / "logs", std::vector<std::string>{"NODE_OPTIONS=--openssl-legacy-provider"});
  bool ready = WaitFor(
      [&] {
        if (!fs::exists(file)) return false;
        endpoint_ = Slurp(file);
        while (!endpoint_.empty() && isspace(static_cast<unsigned char>(endpoint_.back())))
          endpoint_.pop_back();
        return !endpoint_.empty();
      },
      std::chrono::seconds(30));
  if (!ready) ADD_FAILURE() << "s3rver did not start: " << process_->Stderr();
}

std::vector<std::string> S3ServerProcess::Env() const {
  return {"AWS_ACCESS_KEY_ID=S3RVER",  "AWS_SECRET_ACCESS_KEY=S3RVER",
          "AWS_REGION=us-east-1",      "AWS_ENDPOINT_URL_S3=" + endpoint_,
          "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"};
}

namespace {
std::string Trimmed(std::string text) {
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}
std::string ClusterScript() { return (SourceDir() / "scripts" / "kafka-cluster.sh").string(); }
}  // namespace

KafkaCluster::KafkaCluster(const fs::path& dir, int brokers, std::vector<std::string> extra,
                           const std::string& kafka_lib)
    : dir_(dir) {
  std::vector<std::string> argv = {ClusterScript(), "start", dir.string(), std::to_string(brokers)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<std::string> env;
  if (!kafka_lib.empty()) env.push_back("KAFKA_LIB=" + kafka_lib);
  auto started = RunCommand(argv, std::chrono::seconds(240), env);
  running_ = true;  // stop whatever part of it came up
  if (started.exit_code != 0) {
    ADD_FAILURE() << "kafka-cluster.sh start failed: " << started.err;
    return;
  }
  bootstrap_ = Trimmed(Slurp(dir / "bootstrap"));
}

KafkaCluster::~KafkaCluster() { Stop(); }

void KafkaCluster::Stop() {
  if (!running_) return;
  running_ = false;
  auto stopped = RunCommand({ClusterScript(), "stop", dir_.string()}, std::chrono::seconds(120));
  if (stopped.exit_code != 0) ADD_FAILURE() << "kafka-cluster.sh stop failed: " << stopped.err;
}

void KillKafkaNode(const fs::path& dir, int id) {
  auto r = RunCommand({ClusterScript(), "kill", dir.string(), std::to_string(id)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

void RestartKafkaNode(const fs::path& dir, int id) {
  auto r = RunCommand({ClusterScript(), "restart", dir.string(), std::to_string(id)},
                      std::chrono::seconds(240));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

namespace {
// A cluster this process started itself (no ctest fixture), stopped at exit.
struct OwnSharedCluster {
  TempDir dir{"ticklake-kafka-cluster"};
  std::unique_ptr<KafkaCluster> cluster;
};
}  // namespace

const fs::path& SharedKafkaClusterDir() {
  static const fs::path dir = [] {
    if (const char* env = std::getenv("TICKLAKE_KAFKA_CLUSTER")) return fs::path(env);
    static OwnSharedCluster own;
    own.cluster = std::make_unique<KafkaCluster>(own.dir.path() / "cluster", 3);
    return own.dir.path() / "cluster";
  }();
  return dir;
}

std::string SharedKafkaCluster() {
  fs::path file = SharedKafkaClusterDir() / "bootstrap";
  if (!fs::exists(file)) {
    ADD_FAILURE() << "the shared Kafka cluster is not running: no " << file;
    return "127.0.0.1:1";
  }
  return Trimmed(Slurp(file));
}

void CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                 int replication_factor, const std::map<std::string, std::string>& configs,
                 const std::map<std::string, std::string>& client_properties) {
  kafka::Properties properties = {{"bootstrap.servers", bootstrap}};
  for (const auto& [k, v] : client_properties) properties[k] = v;
  kafka::KafkaHandle admin = kafka::MakeHandle(RD_KAFKA_PRODUCER, kafka::MakeConf(properties, {}));
  char error[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, error, sizeof(error));
  ASSERT_NE(new_topic, nullptr) << error;
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(new_topic, k.c_str(), v.c_str());
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin.get());
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, 30000, error, sizeof(error));
  rd_kafka_CreateTopics(admin.get(), &new_topic, 1, options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 60000);
  std::string failure;
  if (!event) {
    failure = "no answer within 60 s";
  } else if (rd_kafka_event_error(event)) {
    failure = rd_kafka_event_error_string(event);
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    if (count != 1 || rd_kafka_topic_result_error(results[0]))
      failure = count == 1 ? rd_kafka_topic_result_error_string(results[0]) : "no result";
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(new_topic);
  rd_kafka_queue_destroy(queue);
  ASSERT_EQ(failure, "") << "creating topic " << topic << " on " << bootstrap;
  // Every partition with a leader, as clients will see it.
  bool ready = WaitFor(
      [&] {
        rd_kafka_topic_t* handle = rd_kafka_topic_new(admin.get(), topic.c_str(), nullptr);
        const rd_kafka_metadata_t* md = nullptr;
        bool ok =
            rd_kafka_metadata(admin.get(), 0, handle, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt == partitions;
        for (int p = 0; ok && p < md->topics[0].partition_cnt; ++p)
          ok = md->topics[0].partitions[p].leader >= 0;
        if (md) rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(handle);
        return ok;
      },
      std::chrono::seconds(30));
  ASSERT_TRUE(ready) << "topic " << topic << " has no leaders after 30 s";
}

::testing::internal::ParamGenerator<std::string> KafkaKinds() {
  return ::testing::Values(std::string(kEmbedded), std::string(kRealKafka));
}

std::string KafkaKindName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

KafkaTarget::KafkaTarget(const std::string& kind, const fs::path& dir,
                         const std::vector<std::string>& topics) {
  if (kind == kEmbedded) {
    std::vector<std::string> args;
    for (const auto& t : topics) {
      args.push_back("-t");
      args.push_back(t);
    }
    broker_ = std::make_unique<BrokerProcess>(dir, args);
    bootstrap_ = broker_->bootstrap();
    return;
  }
  bootstrap_ = SharedKafkaCluster();
  for (const auto& t : topics) {
    size_t colon = t.find(':');
    Topic(t.substr(0, colon), colon == std::string::npos ? 6 : std::stoi(t.substr(colon + 1)));
  }
}

std::string KafkaTarget::Topic(const std::string& topic, int partitions) {
  if (!real()) return topic;
  auto it = names_.find(topic);
  if (it != names_.end()) return it->second;
  static int counter = 0;
  std::string name = topic + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  CreateTopic(bootstrap_, name, partitions, 3, {{"min.insync.replicas", "2"}});
  return names_[topic] = name;
}

}  // namespace ticklake::test
