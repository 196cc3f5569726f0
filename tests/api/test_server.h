// A scriptable loopback HTTP(S)/1.1 server for the client's socket-level tests: real sockets,
// one thread per connection, answers taken from a script (in order) or from a handler. It can
// misbehave on purpose: reset mid-body, promise more body than it sends, never answer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ccetl::testing {

struct Reply {
  enum class Kind {
    Respond,             // a complete answer
    ResetMidBody,        // headers and half the body, then a TCP reset
    Truncate,            // Content-Length larger than the body sent, then close
    Hang,                // read the request, never answer (until the server stops)
    CloseWithoutAnswer,  // read the request, close
  };
  Kind kind = Kind::Respond;
  int status = 200;
  std::string content_type = "application/json";
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // before answering
  bool chunked = false;
  bool close = false;  // send Connection: close and close afterwards
};

struct SeenRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  int connection = 0;  // 1-based number of the connection it arrived on
  std::chrono::steady_clock::time_point arrived;
};

// Self-signed certificate for DNS:localhost, made with the openssl CLI in a temp directory.
struct TestCert {
  TestCert();
  ~TestCert();
  std::string dir, cert_file, key_file;
};

class TestServer {
 public:
  // Plain HTTP when `cert` is null, else TLS with that certificate. Listens on 127.0.0.1.
  explicit TestServer(const TestCert* cert = nullptr);
  ~TestServer();  // stops: wakes hanging handlers, closes every connection, joins threads

  uint16_t port() const { return port_; }
  std::string base_url(const std::string& host = "127.0.0.1") const;

  // Scripted replies are used in order; when none is left the handler answers (default: 200 {}).
  void script(std::vector<Reply> replies);
  void set_handler(std::function<Reply(const SeenRequest&)> handler);

  int connections() const { return connections_.load(); }
  std::vector<SeenRequest> requests() const;

 private:
  struct Impl;
  void accept_loop();
  void serve(int connection_number, std::shared_ptr<void> socket);
  Reply next_reply(const SeenRequest& request);
  void wait_for_stop(std::chrono::milliseconds at_most);

  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::deque<Reply> script_;
  std::function<Reply(const SeenRequest&)> handler_;
  std::vector<SeenRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_thread_;
};

// A listening socket on 127.0.0.1 that never accepts: TCP connects complete in the kernel's
// backlog, but nothing is ever said (for connect/handshake timeouts).
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace ccetl::testing
