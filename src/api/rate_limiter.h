// Per-endpoint request pacing shared by all threads of one client.
//
// Why pacing rather than a bursty token bucket: the API allows `rate` requests per second per
// endpoint, counted in windows we cannot see. Sending at most one request every
// (1 s / rate) × (1 + kSafety) means any window of a second (plus the latency jitter that the
// safety margin absorbs) holds at most `rate` requests, wherever the server's window starts, so
// a compliant server never answers 429, while the budget is still used almost fully.
// On top of that the server's own view wins: when a response says the window is exhausted
// (X-Rate-Limit-Remaining: 0) or answers 429, the endpoint is held until the window resets.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/cancel.h"

namespace ccetl::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr double kSafety = 0.03;

  // `rate` requests per `window` per endpoint; rate <= 0 disables pacing (holds still apply).
  explicit RateLimiter(double rate, Clock::duration window = std::chrono::seconds(1));

  // Claims the next send slot of `endpoint` at or after `now` and returns it. Thread-safe;
  // every call claims a distinct slot at least interval() after the previous one.
  Clock::time_point reserve(const std::string& endpoint, Clock::time_point now);

  // Blocks the calling thread until it may send to `endpoint`; honours holds that arrive while
  // it waits. Returns false at once when `cancel` is cancelled (the slot is then left unused).
  bool acquire(const std::string& endpoint, const CancelToken* cancel = nullptr);

  // No request to `endpoint` starts before `until` (later holds extend, earlier ones are ignored).
  void hold_until(const std::string& endpoint, Clock::time_point until);

  Clock::duration interval() const { return interval_; }

 private:
  struct State {
    Clock::time_point next_slot{};
    Clock::time_point hold{};
  };
  void prune_locked(Clock::time_point now);

  Clock::duration interval_{0};
  std::mutex mutex_;
  std::unordered_map<std::string, State> states_;
};

}  // namespace ccetl::api
