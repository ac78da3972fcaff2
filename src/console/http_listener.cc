#include "console/http_listener.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>

#include "common/error.h"

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

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

void RequireTokenBeyondLoopback(const std::string& listen, const std::string& token,
                                const char* flag, const char* how) {
  if (!token.empty() || IsLoopback(ParseListenAddress(listen, flag).first)) return;
  Fail(
      "{} {} is beyond this machine: refusing to serve it without a token; {} (or listen on "
      "127.0.0.1)",
      flag, listen, how);
}

bool TokenMatches(std::string_view given, std::string_view token) {
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

bool BearerMatches(const httplib::Request& req, std::string_view token) {
  std::string auth = req.get_header_value("Authorization");
  return auth.starts_with("Bearer ") && TokenMatches(std::string_view(auth).substr(7), token);
}

HttpListener::HttpListener(httplib::Server& server, const std::string& listen, const char* flag)
    : server_(server) {
  std::tie(host_, port_) = ParseListenAddress(listen, flag);
  server_.set_socket_options([](socket_t sock) {
    int yes = 1;  // SO_REUSEADDR only: restarts need no TIME_WAIT delay
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (port_ == 0) {
    port_ = server_.bind_to_any_port(host_);
  } else if (!server_.bind_to_port(host_, port_)) {
    port_ = -1;
  }
  if (port_ < 0) Fail("{} {}: cannot listen: {}", flag, listen, ErrnoMessage());
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HttpListener::~HttpListener() {
  server_.stop();
  thread_.join();
}

std::string HttpListener::Url() const { return fmt::format("http://{}:{}/", host_, port_); }

}  // namespace ticklake::console
