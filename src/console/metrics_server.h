// MetricsServer: `--metrics-listen HOST:PORT` of the long-running subcommands (produce, sink,
// broker): serves GET /metrics (MetricsRegistry::Global() in the Prometheus text format) and
// GET /healthz on a background thread. Like the console, it binds beyond loopback only with a
// token (TICKLAKE_CONSOLE_TOKEN), which every request must then carry as
// "Authorization: Bearer TOKEN" (Prometheus: authorization.credentials).
// Thread-safety: construct and destroy on one thread; serving runs on its own threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace ticklake::console {

class MetricsServer {
 public:
  // Binds `listen` (HOST:PORT, port 0 = any free port) and starts serving. Throws Error when it
  // cannot bind, or on a non-loopback address without a token.
  MetricsServer(const std::string& listen, const std::string& token);
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer();

  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

// For the CLI: starts a MetricsServer when `listen` is not empty (token from
// TICKLAKE_CONSOLE_TOKEN) and says where on stderr.
std::unique_ptr<MetricsServer> MaybeServeMetrics(const std::string& listen, const char* command);

// Makes binding a port that is in use fail (httplib's default socket options share it).
void ListenExclusively(httplib::Server& server);

// Returns once `server`'s accept loop runs (after listen_after_bind started on another thread).
void WaitUntilRunning(httplib::Server& server);

// Splits "HOST:PORT"; throws Error naming `flag` when malformed.
std::pair<std::string, int> ParseListenAddress(const std::string& listen, const char* flag);

}  // namespace ticklake::console
