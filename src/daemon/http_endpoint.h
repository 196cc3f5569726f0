// The daemon's own small HTTP server: /metrics (Prometheus text), /healthz (the scheduler loop
// is alive: 200, else 503) and
// /readyz (configuration loaded and database reachable: 200, else 503). One thread; each
// connection answers one request and closes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace ccetl {

struct HttpEndpointHandlers {
  std::function<std::string()> metrics;
  std::function<bool()> ready;
  // /healthz: (healthy, one line of text). Unset: always healthy ("ok").
  std::function<std::pair<bool, std::string>()> health;
};

class HttpEndpoint {
 public:
  // `listen` is "HOST:PORT" (PORT 0 picks a free one). Throws Error(Config) if it cannot bind.
  HttpEndpoint(const std::string& listen, HttpEndpointHandlers handlers);
  ~HttpEndpoint();  // stops the server thread
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccetl
