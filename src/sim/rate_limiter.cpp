#include "sim/rate_limiter.h"

#include <ctime>

namespace ccetl::sim {

using Clock = std::chrono::system_clock;

RateLimiter::Decision RateLimiter::hit(const std::string& client_ip, const std::string& path) {
  auto now = Clock::now();
  std::lock_guard lock(mu_);
  if (now - last_prune_ > std::chrono::seconds(10)) {
    for (auto it = windows_.begin(); it != windows_.end();)
      it = now - it->second.start > std::chrono::seconds(2) ? windows_.erase(it) : std::next(it);
    last_prune_ = now;
  }
  Window& w = windows_[client_ip + " " + path];
  if (w.used == 0 || now - w.start >= std::chrono::seconds(1)) {
    w.start = now;
    w.used = 0;
  }
  Decision d;
  d.limit = limit_;
  d.reset = w.start + std::chrono::seconds(1);
  if (limit_ <= 0) {
    d.remaining = 1000000;
    return d;
  }
  if (w.used >= limit_) {
    d.allowed = false;
    d.remaining = 0;
    return d;
  }
  ++w.used;
  d.remaining = limit_ - w.used;
  return d;
}

void RateLimiter::set_limit(int limit) {
  std::lock_guard lock(mu_);
  limit_ = limit;
  windows_.clear();
}

int RateLimiter::limit() const {
  std::lock_guard lock(mu_);
  return limit_;
}

void RateLimiter::reset() {
  std::lock_guard lock(mu_);
  windows_.clear();
}

std::string iso8601_ms(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace ccetl::sim
