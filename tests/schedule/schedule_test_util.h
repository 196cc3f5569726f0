// Helpers for schedule tests: UTC instants from calendar fields and readable output.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "schedule/time_zone.h"

namespace ccetl::test {

inline SysSeconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

inline std::string iso(std::optional<SysSeconds> t) {
  if (!t) return "never";
  using namespace std::chrono;
  auto day = floor<days>(*t);
  year_month_day ymd{day};
  hh_mm_ss<seconds> tod{*t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(tod.hours().count()),
                long(tod.minutes().count()), long(tod.seconds().count()));
  return buf;
}

}  // namespace ccetl::test
