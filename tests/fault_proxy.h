// FaultProxy: an HTTP proxy of the tests' own on 127.0.0.1, between an S3 client and a real S3
// server, that injects the faults S3 clients meet: 500 InternalError, 503 SlowDown, connections
// dropped mid-request or mid-response, and stalled answers. Faults are queued and applied to the
// next requests in order (in the order they arrive); then requests pass through. Each
// connection is served by its own thread and closed after its response. Thread-safety:
// Push/requests may be called while the proxy serves.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ticklake::test {

enum class Fault { kPass, kInternalError, kSlowDown, kDropRequestBody, kDropResponseBody, kStall };

class FaultProxy {
 public:
  // `upstream` is http://host:port.
  FaultProxy(const std::string& upstream, double stall_seconds = 2.5);
  ~FaultProxy();
  std::string endpoint() const;
  void Push(std::vector<Fault> faults);
  int requests() const { return requests_; }

 private:
  void Serve();
  void HandleConnection(int client);
  Fault NextFault();

  std::string upstream_host_;
  int upstream_port_ = 0;
  double stall_seconds_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::deque<Fault> faults_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;  // used by the serving thread only
  std::thread thread_;
};

}  // namespace ticklake::test
