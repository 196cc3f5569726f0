#include "schedule/schedule.h"

#include "core/error.h"

namespace ccetl {

Schedule Schedule::cron(const std::string& expression, const std::string& time_zone) {
  return cron(CronSchedule::parse(expression), TimeZone::locate(time_zone));
}

Schedule Schedule::cron(CronSchedule cron, std::shared_ptr<const TimeZone> zone) {
  Schedule s;
  s.kind_ = std::move(cron);
  s.zone_ = zone ? std::move(zone) : TimeZone::utc();
  return s;
}

Schedule Schedule::every(std::chrono::seconds period, SysSeconds anchor) {
  if (period <= std::chrono::seconds{0}) {
    throw Error(ErrorKind::Config, "an interval must be positive");
  }
  Schedule s;
  s.kind_ = Interval{period, anchor};
  return s;
}

std::optional<SysSeconds> Schedule::next_after(SysSeconds t) const {
  if (const auto* cron = std::get_if<CronSchedule>(&kind_)) return cron->next_fire(t, *zone_);
  const auto& interval = std::get<Interval>(kind_);
  if (t < interval.anchor) return interval.anchor;
  auto periods = (t - interval.anchor) / interval.period + 1;
  return interval.anchor + periods * interval.period;
}

std::string Schedule::describe() const {
  if (const auto* cron = std::get_if<CronSchedule>(&kind_)) {
    return "cron '" + cron->text() + "' in " + zone_->name();
  }
  return "every " + std::to_string(std::get<Interval>(kind_).period.count()) + "s";
}

}  // namespace ccetl
