#include "api/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace ccetl::api {

namespace {
// Endpoints include status URLs with ids; forget idle ones so a long-running daemon's map
// stays small.
constexpr size_t kPruneAbove = 1024;
}  // namespace

RateLimiter::RateLimiter(double rate, Clock::duration window) {
  if (rate > 0) {
    auto spacing = std::chrono::duration<double>(window) / rate * (1.0 + kSafety);
    interval_ = std::chrono::duration_cast<Clock::duration>(spacing);
  }
}

RateLimiter::Clock::time_point RateLimiter::reserve(const std::string& endpoint, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (states_.size() > kPruneAbove) prune_locked(now);
  State& s = states_[endpoint];
  auto slot = std::max({now, s.next_slot, s.hold});
  s.next_slot = slot + interval_;
  return slot;
}

bool RateLimiter::acquire(const std::string& endpoint, const CancelToken* cancel) {
  auto slot = reserve(endpoint, Clock::now());
  for (;;) {
    if (cancel) {
      if (!cancel->sleep_until(slot)) return false;
    } else {
      std::this_thread::sleep_until(slot);
    }
    std::unique_lock lock(mutex_);
    State& s = states_[endpoint];
    auto now = Clock::now();
    if (s.hold <= now) return true;
    // A hold arrived while we slept: take a new slot after it.
    slot = std::max(s.next_slot, s.hold);
    s.next_slot = slot + interval_;
  }
}

void RateLimiter::hold_until(const std::string& endpoint, Clock::time_point until) {
  std::lock_guard lock(mutex_);
  State& s = states_[endpoint];
  s.hold = std::max(s.hold, until);
}

void RateLimiter::prune_locked(Clock::time_point now) {
  for (auto it = states_.begin(); it != states_.end();) {
    if (it->second.next_slot < now && it->second.hold < now)
      it = states_.erase(it);
    else
      ++it;
  }
}

}  // namespace ccetl::api
