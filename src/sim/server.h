// The simulator's HTTP(S) server. Design: one blocking thread per connection (keep-alive, idle
// timeout, body limits). A simulator serves a handful of test/benchmark clients, and blocking
// code makes fault delivery (hang, reset, truncation) and streamed uploads straightforward.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/sim_state.h"

namespace ccetl::sim {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = any free port
  std::string tls_cert;  // PEM files; both set = HTTPS only
  std::string tls_key;
  int idle_timeout_s = 60;
  int hang_max_s = 600;  // a "hang" fault holds the connection at most this long
};

class Server {
 public:
  Server(SimState& state, ServerOptions options);
  ~Server();
  // Binds and listens; throws ccetl::Error(Config) when that fails. Returns the bound port.
  uint16_t listen();
  // Accepts connections until the process ends.
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccetl::sim
