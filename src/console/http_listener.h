// HttpListener: serves a configured cpp-httplib Server on HOST:PORT from a background thread, for
// the console and the `--metrics-listen` servers, with the pieces both need:
//   - the port is bound exclusively (httplib's default SO_REUSEPORT would let a second server
//     share a port in use and receive half its requests);
//   - construction returns once the accept loop runs, so destruction right after start stops it
//     (httplib's stop() does nothing before the loop runs);
//   - beyond loopback a token is required (RequireTokenBeyondLoopback) and compared in constant
//     time (TokenMatches).
// Thread-safety: construct and destroy on one thread; requests are served on httplib's threads.
#pragma once

#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace ticklake::console {

class HttpListener {
 public:
  // Binds `listen` (HOST:PORT; port 0 = any free port) and starts serving `server`, which must
  // outlive this object. Throws Error naming `flag` when the address is malformed or taken.
  HttpListener(httplib::Server& server, const std::string& listen, const char* flag);
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;
  ~HttpListener();  // stops serving

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::string Url() const;  // http://HOST:PORT/

 private:
  httplib::Server& server_;
  std::string host_;
  int port_ = 0;
  std::thread thread_;
};

// Splits "HOST:PORT"; throws Error naming `flag` when malformed.
std::pair<std::string, int> ParseListenAddress(const std::string& listen, const char* flag);

// True for 127.0.0.0/8, ::1 and localhost.
bool IsLoopback(const std::string& host);

// Throws Error ("... beyond this machine ...", with `how` saying how to give a token) when
// `listen` is not a loopback address and `token` is empty.
void RequireTokenBeyondLoopback(const std::string& listen, const std::string& token,
                                const char* flag, const char* how);

// Constant-time comparison (the time does not tell where a guess went wrong).
bool TokenMatches(std::string_view given, std::string_view token);

// True when the request carries "Authorization: Bearer <token>".
bool BearerMatches(const httplib::Request& req, std::string_view token);

}  // namespace ticklake::console
