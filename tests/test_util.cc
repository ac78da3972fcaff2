#include "tests/test_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/file_util.h"

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
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
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

}  // namespace ticklake::test
