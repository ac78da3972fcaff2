#include "console/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <cstdlib>

#include "common/metrics.h"
#include "console/http_listener.h"

namespace ticklake::console {

MetricsServer::MetricsServer(const std::string& listen, const std::string& token)
    : server_(std::make_unique<httplib::Server>()) {
  RequireTokenBeyondLoopback(listen, token, "--metrics-listen",
                             "set TICKLAKE_CONSOLE_TOKEN (requests must then carry it as a bearer "
                             "token)");
  server_->set_pre_routing_handler([token](const httplib::Request& req, httplib::Response& res) {
    if (token.empty() || BearerMatches(req, token))
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
  listener_ = std::make_unique<HttpListener>(*server_, listen, "--metrics-listen");
}

MetricsServer::~MetricsServer() = default;

int MetricsServer::port() const { return listener_->port(); }
std::string MetricsServer::Url() const { return listener_->Url(); }

std::unique_ptr<MetricsServer> MaybeServeMetrics(const std::string& listen, const char* command) {
  if (listen.empty()) return nullptr;
  const char* token = std::getenv("TICKLAKE_CONSOLE_TOKEN");
  auto server = std::make_unique<MetricsServer>(listen, token ? token : "");
  fmt::print(stderr, "ticklake {}: metrics on {}metrics\n", command, server->Url());
  return server;
}

}  // namespace ticklake::console
