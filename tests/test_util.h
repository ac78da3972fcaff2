// Helpers for integration tests: run the real ticklake binary (and peers such as kcat) as child
// processes, wait for conditions instead of sleeping, and clean up even when a test fails.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
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

}  // namespace ticklake::test
