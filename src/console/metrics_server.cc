#include "console/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "common/error.h"
#include "common/metrics.h"
#include "console/console_server.h"

namespace ticklake::console {

std::pair<std::string, int> ParseListenAddress(const std::string& listen, const char* flag) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    Fail("{} {}: expected HOST:PORT, e.g. 127.0.0.1:8080", flag, listen);
  std::string port_text = listen.substr(colon + 1);
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 &&
      port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535)
    Fail("{} {}: the port must be a number from 0 to 65535", flag, listen);
  return {listen.substr(0, colon), port};
}

MetricsServer::MetricsServer(const std::string& listen, const std::string& token)
    : server_(std::make_unique<httplib::Server>()) {
  auto [host, port] = ParseListenAddress(listen, "--metrics-listen");
  if (!IsLoopback(host) && token.empty()) {
    Fail(
        "--metrics-listen {} is beyond this machine: set TICKLAKE_CONSOLE_TOKEN (requests must "
        "then carry it as a bearer token), or listen on 127.0.0.1",
        listen);
  }
  ListenExclusively(*server_);
  server_->set_pre_routing_handler([token](const httplib::Request& req, httplib::Response& res) {
    if (token.empty() || req.get_header_value("Authorization") == "Bearer " + token)
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_content("this endpoint requires its token (Authorization: Bearer TOKEN)\n",
                    "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(MetricsRegistry::Global().RenderPrometheus(),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) Fail("--metrics-listen {}: cannot listen: {}", listen, ErrnoMessage());
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  WaitUntilRunning(*server_);
}

MetricsServer::~MetricsServer() {
  server_->stop();
  thread_.join();
}

void ListenExclusively(httplib::Server& server) {
  // httplib's default sets SO_REUSEPORT, which would let a second server share a port in use
  // and receive half its requests: keep only SO_REUSEADDR (restarts need no TIME_WAIT delay).
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

void WaitUntilRunning(httplib::Server& server) {
  // httplib's stop() does nothing before the accept loop runs: wait for it, so that a server
  // stopped right after it started does not run on forever.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::unique_ptr<MetricsServer> MaybeServeMetrics(const std::string& listen, const char* command) {
  if (listen.empty()) return nullptr;
  const char* token = std::getenv("TICKLAKE_CONSOLE_TOKEN");
  auto server = std::make_unique<MetricsServer>(listen, token ? token : "");
  std::string host = ParseListenAddress(listen, "--metrics-listen").first;
  fmt::print(stderr, "ticklake {}: metrics on http://{}:{}/metrics\n", command, host,
             server->port());
  return server;
}

}  // namespace ticklake::console
