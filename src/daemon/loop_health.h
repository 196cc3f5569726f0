// Whether the daemon's scheduler loop is alive, for /healthz: the loop calls tick() on every
// pass (at least once a second); report() fails once no tick came for `stuck_after`.
// Thread-safe: the loop ticks, the HTTP thread reports. Times are passed in, so tests drive it.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <utility>

namespace ccetl {

class LoopHealth {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoopHealth(Clock::duration stuck_after) : stuck_after_(stuck_after) {}

  void tick(Clock::time_point now) { last_tick_ns_ = now.time_since_epoch().count(); }

  // (healthy, one line for the body): "ok: the scheduler loop last ticked N s ago", or
  // "stuck: ..." once the last tick is older than stuck_after. Healthy before the first tick.
  std::pair<bool, std::string> report(Clock::time_point now) const {
    const auto last = last_tick_ns_.load();
    if (last == 0) return {true, "ok: starting"};
    const auto age = now - Clock::time_point(Clock::duration(last));
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(age).count();
    if (age > stuck_after_)
      return {false, "stuck: the scheduler loop last ticked " + std::to_string(secs) + " s ago"};
    return {true, "ok: the scheduler loop last ticked " + std::to_string(secs) + " s ago"};
  }

 private:
  const Clock::duration stuck_after_;
  std::atomic<Clock::rep> last_tick_ns_{0};
};

}  // namespace ccetl
