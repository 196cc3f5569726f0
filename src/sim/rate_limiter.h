// The reference's rate limit: N requests per second per endpoint (path without query) per client
// IP. Fixed one-second windows: a window opens at a key's first request and admits `limit`
// requests until it is one second old; X-Rate-Limit-Reset is the window's end. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ccetl::sim {

class RateLimiter {
 public:
  explicit RateLimiter(int limit) : limit_(limit) {}

  struct Decision {
    bool allowed = true;
    int limit = 0;
    long remaining = 0;
    std::chrono::system_clock::time_point reset;
  };

  // Counts one request. A limit of 0 disables limiting (remaining is then reported as 1000000).
  Decision hit(const std::string& client_ip, const std::string& path);
  void set_limit(int limit);
  int limit() const;
  void reset();

 private:
  struct Window {
    std::chrono::system_clock::time_point start;
    int used = 0;
  };
  mutable std::mutex mu_;
  int limit_;
  std::unordered_map<std::string, Window> windows_;
  std::chrono::system_clock::time_point last_prune_;
};

// "2026-11-29T00:41:05.123Z"
std::string iso8601_ms(std::chrono::system_clock::time_point t);

}  // namespace ccetl::sim
