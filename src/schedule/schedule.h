// The schedule of one daemon job: a cron expression in a time zone, or a fixed interval.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "schedule/cron.h"
#include "schedule/duration.h"
#include "schedule/time_zone.h"

namespace ccetl {

// Runs every `period`, measured from an anchor (the daemon passes the last run's start, or its
// own start time); next_after returns the first anchor + k*period strictly after `t`.
struct Interval {
  std::chrono::seconds period{0};
  SysSeconds anchor{};
};

class Schedule {
 public:
  // Throws ccetl::Error(Config) for a bad expression or unknown zone.
  static Schedule cron(const std::string& expression, const std::string& time_zone = "UTC");
  static Schedule cron(CronSchedule cron, std::shared_ptr<const TimeZone> zone);
  // REQUIRES: period > 0 (throws ccetl::Error(Config) otherwise).
  static Schedule every(std::chrono::seconds period, SysSeconds anchor = SysSeconds{});

  // The next fire time strictly after `t`; nullopt if the schedule never fires again.
  std::optional<SysSeconds> next_after(SysSeconds t) const;
  template <class Duration>
  std::optional<SysSeconds> next_after(std::chrono::sys_time<Duration> t) const {
    return next_after(std::chrono::floor<std::chrono::seconds>(t));
  }

  bool is_cron() const { return std::holds_alternative<CronSchedule>(kind_); }
  // A human-readable description: "cron '*/15 * * * *' in Europe/Berlin" or "every 900s".
  std::string describe() const;

 private:
  Schedule() = default;
  std::variant<CronSchedule, Interval> kind_;
  std::shared_ptr<const TimeZone> zone_;
};

}  // namespace ccetl
