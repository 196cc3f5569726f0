// The status routes of daemon.listen: GET / and /jobs/NAME (HTML), /api/jobs and
// /api/jobs/NAME (JSON). Read-only: nothing here changes state.
//
// Threads: the scheduler loop publishes the configuration in force and each job's next fire
// time on a StatusBoard (a copy under a mutex, no I/O); the HTTP endpoint's page thread calls
// StatusSite::get, which queries the database through its own StatusReader. A page view
// therefore never waits for the scheduler, and the scheduler never waits for a page.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/config.h"
#include "daemon/http_endpoint.h"

namespace ccetl {

class StatusReader;

inline constexpr std::chrono::milliseconds kPageStatementTimeout{2000};

class StatusBoard {
 public:
  struct View {
    std::shared_ptr<const Config> config;
    std::map<std::string, int64_t> next_runs;  // job -> Unix seconds of its next fire time
  };
  // Thread-safe.
  void publish(std::shared_ptr<const Config> config, std::map<std::string, int64_t> next_runs);
  View view() const;

 private:
  mutable std::mutex mu_;
  View view_;
};

class StatusSite {
 public:
  // `statement_timeout` bounds each page's queries (the daemon keeps the default; tests that
  // hold a lock on ccetl.runs pass a long one so a page stays blocked until they release it).
  explicit StatusSite(const StatusBoard& board,
                      std::chrono::milliseconds statement_timeout = kPageStatementTimeout);
  ~StatusSite();

  // The answer for `path` (no query string), or nullopt when `path` is not a status route.
  // Unknown jobs get 404. When the run history cannot be read, the HTML pages still list the
  // configured jobs under a notice, and the JSON routes answer 503 naming the reason.
  // Not thread-safe: call from one thread (the endpoint's page thread).
  std::optional<HttpPage> get(const std::string& path);

 private:
  const StatusBoard& board_;
  const std::chrono::milliseconds statement_timeout_;
  std::unique_ptr<StatusReader> reader_;
};

}  // namespace ccetl
