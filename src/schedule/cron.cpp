#include "schedule/cron.h"

#include "core/error.h"

namespace ccetl {

using namespace std::chrono;

CronSchedule CronSchedule::parse(const std::string& text) {
  std::string error;
  auto expr = parse_cron(text, error);
  if (!expr) throw Error(ErrorKind::Config, "invalid cron schedule '" + text + "': " + error);
  CronSchedule schedule;
  schedule.text_ = text;
  schedule.expr_ = *expr;
  return schedule;
}

bool CronSchedule::day_matches(year_month_day date) const {
  if (!expr_.months[unsigned(date.month())]) return false;
  bool dom = expr_.days_of_month[unsigned(date.day())];
  bool dow = expr_.days_of_week[weekday{sys_days{date}}.c_encoding()];
  if (expr_.dom_star || expr_.dow_star) return dom && dow;
  return dom || dow;
}

// Walks matching local wall-clock minutes in ascending order from the local time of `after`.
// With the first-occurrence rule the local -> instant mapping is non-decreasing, so the first
// match whose instant is later than `after` is the answer; matches whose local label precedes
// local(after) can only map to instants before `after`.
std::optional<SysSeconds> CronSchedule::next_fire(SysSeconds after, const TimeZone& zone) const {
  constexpr int kMaxDays = 366 * 10;
  const LocalSeconds start = zone.to_local(after);
  const local_days start_day = floor<days>(start);
  const minutes start_minute = floor<minutes>(start - start_day);
  for (int d = 0; d <= kMaxDays; ++d) {
    const local_days day = start_day + days{d};
    if (!day_matches(year_month_day{sys_days{day.time_since_epoch()}})) continue;
    for (int h = 0; h < 24; ++h) {
      if (!expr_.hours[size_t(h)]) continue;
      for (int m = 0; m < 60; ++m) {
        if (!expr_.minutes[size_t(m)]) continue;
        const minutes of_day{h * 60 + m};
        if (d == 0 && of_day < start_minute) continue;
        const TimeZone::LocalInfo info = zone.resolve(day + of_day);
        if (info.first > after) return info.first;
      }
    }
  }
  return std::nullopt;
}

}  // namespace ccetl
