// A minimal HTTP CONNECT proxy for tests: plain sockets, one thread per tunnel. It records every
// request line and Proxy-Authorization header it receives (so a test can prove the client went
// through it), optionally demands credentials (407), and relays bytes both ways untouched.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ccetl::test {

class ConnectProxy {
 public:
  struct Request {
    std::string line;           // e.g. "CONNECT localhost:8443 HTTP/1.1"
    std::string authorization;  // the Proxy-Authorization header, empty when absent
  };
  // `required_authorization`: the exact Proxy-Authorization value to demand (407 otherwise).
  explicit ConnectProxy(std::optional<std::string> required_authorization = std::nullopt);
  ~ConnectProxy();
  ConnectProxy(const ConnectProxy&) = delete;
  ConnectProxy& operator=(const ConnectProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() const;
  int tunnels() const { return tunnels_.load(); }  // CONNECTs answered 200

 private:
  void accept_loop();
  void serve(int client);

  std::optional<std::string> required_authorization_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> tunnels_{0};
  mutable std::mutex mu_;
  std::vector<Request> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace ccetl::test
