#include "support/connect_proxy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace ccetl::test {
namespace {

bool send_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

int dial(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

ConnectProxy::ConnectProxy(std::optional<std::string> required_authorization)
    : required_authorization_(std::move(required_authorization)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error(std::string("ConnectProxy: cannot listen: ") + std::strerror(errno));
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ConnectProxy::~ConnectProxy() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : workers_) t.join();
  for (int fd : open_fds_) ::close(fd);
}

std::vector<ConnectProxy::Request> ConnectProxy::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void ConnectProxy::accept_loop() {
  while (!stopping_) {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard lock(mu_);
    open_fds_.push_back(client);
    workers_.emplace_back([this, client] { serve(client); });
  }
}

void ConnectProxy::serve(int client) {
  std::string head;
  char buf[16384];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  Request request;
  request.line = head.substr(0, head.find("\r\n"));
  for (size_t at = head.find("\r\n"); at != std::string::npos && at + 2 < head.size();) {
    size_t end = head.find("\r\n", at + 2);
    std::string header = head.substr(at + 2, end - at - 2);
    std::string lower = header;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("proxy-authorization:", 0) == 0) {
      request.authorization = header.substr(20);
      while (!request.authorization.empty() && request.authorization.front() == ' ') request.authorization.erase(0, 1);
    }
    at = end;
  }
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  auto answer = [&](const char* text) { send_all(client, text, std::strlen(text)); };
  if (request.line.rfind("CONNECT ", 0) != 0) return answer("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
  if (required_authorization_ && request.authorization != *required_authorization_)
    return answer("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                  "Content-Length: 0\r\n\r\n");
  std::string authority = request.line.substr(8, request.line.find(' ', 8) - 8);
  auto colon = authority.rfind(':');
  std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int upstream = dial(host, port);
  if (upstream < 0) return answer("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
  {
    std::lock_guard lock(mu_);
    open_fds_.push_back(upstream);
  }
  ++tunnels_;
  answer("HTTP/1.1 200 Connection established\r\n\r\n");
  // Bytes after the request header (a client that did not wait for the 200) go upstream too.
  std::string early = head.substr(head.find("\r\n\r\n") + 4);
  if (!early.empty()) send_all(upstream, early.data(), early.size());
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  while (!stopping_) {
    if (::poll(fds, 2, 200) < 0) break;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      done = n <= 0 || !send_all(fds[1 - i].fd, buf, static_cast<size_t>(n));
    }
    if (done) break;
  }
  ::shutdown(client, SHUT_RDWR);
  ::shutdown(upstream, SHUT_RDWR);
}

}  // namespace ccetl::test
