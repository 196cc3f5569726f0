// The daemon's own small HTTP server: /metrics (Prometheus text), /healthz (the scheduler loop
// is alive: 200, else 503), /readyz (configuration loaded and database reachable: 200, else 503)
// and the page routes (the status pages, see daemon/status_site.h). One I/O thread answers the
// probes; pages are built on a second thread, so a slow page never delays a probe. Each
// connection answers one request and closes. Methods other than GET and HEAD get 405.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccetl {

// One answer of a page route.
struct HttpPage {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpEndpointHandlers {
  std::function<std::string()> metrics;
  std::function<bool()> ready;
  // Any other path: its answer, or nullopt for 404. Called on the page thread only, one request
  // at a time; at most kMaxQueuedPages wait for it, more get 503 at once.
  std::function<std::optional<HttpPage>(const std::string& path)> page;
  // /healthz: (healthy, one line of text). Unset: always healthy ("ok").
  std::function<std::pair<bool, std::string>()> health;
};
inline constexpr int kMaxQueuedPages = 8;

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
