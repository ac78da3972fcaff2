// MetricsServer: `--metrics-listen HOST:PORT` of the long-running subcommands (produce, sink):
// serves GET /metrics (MetricsRegistry::Global() in the Prometheus text format) and GET /healthz
// on a background thread (http_listener.h). Like the console, it binds beyond loopback only with
// a token (TICKLAKE_CONSOLE_TOKEN), which every request must then carry as
// "Authorization: Bearer TOKEN" (Prometheus: authorization.credentials).
// Thread-safety: construct and destroy on one thread; serving runs on its own threads.
#pragma once

#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace ticklake::console {

class HttpListener;

class MetricsServer {
 public:
  // Binds `listen` (HOST:PORT, port 0 = any free port) and starts serving. Throws Error when it
  // cannot bind, or on a non-loopback address without a token.
  MetricsServer(const std::string& listen, const std::string& token);
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer();

  int port() const;
  std::string Url() const;  // http://HOST:PORT/

 private:
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<HttpListener> listener_;  // destroyed first: stops serving
};

// For the CLI: starts a MetricsServer when `listen` is not empty (token from
// TICKLAKE_CONSOLE_TOKEN) and says where on stderr.
std::unique_ptr<MetricsServer> MaybeServeMetrics(const std::string& listen, const char* command);

}  // namespace ticklake::console
