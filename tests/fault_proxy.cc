#include "tests/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace ticklake::test {
namespace {

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until `out` holds at least `size` bytes (or EOF); false on EOF/error before that.
bool ReadAtLeast(int fd, std::string& out, size_t size) {
  char buffer[65536];
  while (out.size() < size) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return false;
    out.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

std::string ReadToEnd(int fd) {
  std::string out;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) out.append(buffer, static_cast<size_t>(n));
  return out;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ErrorResponse(int status, const char* reason, const char* code) {
  std::string body = std::string("<Error><Code>") + code +
                     "</Code><Message>injected by the test proxy</Message></Error>";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

FaultProxy::FaultProxy(const std::string& upstream, double stall_seconds)
    : stall_seconds_(stall_seconds) {
  std::string hostport = upstream.substr(upstream.find("://") + 3);
  upstream_host_ = hostport.substr(0, hostport.find(':'));
  upstream_port_ = std::stoi(hostport.substr(hostport.find(':') + 1));
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("fault proxy: cannot listen");
  }
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FaultProxy::Push(std::vector<Fault> faults) {
  std::lock_guard lock(mu_);
  faults_.insert(faults_.end(), faults.begin(), faults.end());
}

Fault FaultProxy::NextFault() {
  std::lock_guard lock(mu_);
  if (faults_.empty()) return Fault::kPass;
  Fault fault = faults_.front();
  faults_.pop_front();
  return fault;
}

void FaultProxy::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // A connection of its own thread, so a stalled answer does not hold up the client's retry.
    workers_.emplace_back([this, client] {
      HandleConnection(client);
      close(client);
    });
  }
  for (auto& worker : workers_) worker.join();
}

void FaultProxy::HandleConnection(int client) {
  std::string request;
  size_t header_end;
  char buffer[65536];
  while ((header_end = request.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
  }
  std::string head = request.substr(0, header_end + 2);
  std::string body = request.substr(header_end + 4);
  size_t content_length = 0;
  bool expect_continue = false;
  std::string forwarded_head;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string line = head.substr(pos, eol - pos);
    pos = eol + 2;
    std::string lower = Lower(line);
    if (lower.starts_with("content-length:")) content_length = std::stoull(line.substr(15));
    if (lower.starts_with("expect:")) {
      expect_continue = true;
      continue;  // answered here
    }
    if (lower.starts_with("connection:")) continue;
    forwarded_head += line + "\r\n";
  }
  forwarded_head += "Connection: close\r\n\r\n";
  ++requests_;
  Fault fault = NextFault();
  if (expect_continue && !SendAll(client, "HTTP/1.1 100 Continue\r\n\r\n")) return;
  if (fault == Fault::kDropRequestBody) {
    ReadAtLeast(client, body, content_length / 2);
    return;  // the connection closes with the request half sent
  }
  if (!ReadAtLeast(client, body, content_length)) return;
  switch (fault) {
    case Fault::kInternalError:
      SendAll(client, ErrorResponse(500, "Internal Server Error", "InternalError"));
      return;
    case Fault::kSlowDown:
      SendAll(client, ErrorResponse(503, "Slow Down", "SlowDown"));
      return;
    case Fault::kStall:
      std::this_thread::sleep_for(std::chrono::duration<double>(stall_seconds_));
      return;  // answers nothing at all
    default:
      break;
  }
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
  if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(upstream);
    return;
  }
  SendAll(upstream, forwarded_head);
  SendAll(upstream, body);
  std::string response = ReadToEnd(upstream);
  close(upstream);
  if (fault == Fault::kDropResponseBody) {
    size_t body_start = response.find("\r\n\r\n");
    size_t cut = body_start == std::string::npos
                     ? response.size() / 2
                     : body_start + 4 + (response.size() - body_start - 4) / 2;
    SendAll(client, std::string_view(response).substr(0, cut));
    return;
  }
  SendAll(client, response);
}

}  // namespace ticklake::test
