// Cron schedules evaluated in an IANA time zone.
//
// DST behaviour (chosen so that a job runs at most once per wall-clock time and never silently
// skips a day):
// - Spring forward: a matching local time that does not exist (inside the gap) fires at the
//   first valid instant after the gap (the transition instant). Several matching times inside
//   one gap, and a match right at the end of the gap, all fire once together at that instant.
// - Fall back: a local time that occurs twice fires once, at its first occurrence. This applies
//   to step schedules too: `*/15 * * * *` fires at 01:00, 01:15, 01:30, 01:45 of the first pass
//   through a repeated hour and not again during the second pass (a one-hour pause once a
//   year), so fire times are always strictly increasing wall-clock labels.
#pragma once

#include <optional>
#include <string>

#include "schedule/cron_expr.h"
#include "schedule/time_zone.h"

namespace ccetl {

class CronSchedule {
 public:
  // Throws ccetl::Error(Config) with parse_cron's message when `text` is not valid.
  static CronSchedule parse(const std::string& text);

  const std::string& text() const { return text_; }
  const CronExpr& expr() const { return expr_; }

  // The first fire time strictly after `after`, evaluated in `zone`. nullopt only when no fire
  // time exists within the next 10 years (cannot happen for expressions parse accepted, since
  // every accepted day-of-month exists at least once every 8 years).
  std::optional<SysSeconds> next_fire(SysSeconds after, const TimeZone& zone) const;

 private:
  bool day_matches(std::chrono::year_month_day date) const;

  std::string text_;
  CronExpr expr_;
};

}  // namespace ccetl
