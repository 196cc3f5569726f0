// IANA time zones through Howard Hinnant's date library (Debian's libhowardhinnant-date-dev,
// reading the system's /usr/share/zoneinfo), because GCC 12's libstdc++ has no std::chrono
// tzdb; date's API is the one C++20 standardised, so a later compiler switch is mechanical.
//
// One gap of date 3.0.1 is closed here: with the system's files it ignores the POSIX TZ footer
// that describes daylight saving after the last stored transition (2037 in Debian's "fat"
// files), so it would report standard time for ever after that. For such instants this class
// asks date about the same calendar date in a stored year whose date falls on the same weekday:
// rules of the footer's form ("second Sunday of March") give the same answer there.
//
// A TimeZone is immutable after loading and safe to share between threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace date {
class time_zone;
}

namespace ccetl {

using SysSeconds = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;

class TimeZone {
 public:
  // How a local wall-clock time maps to instants.
  struct LocalInfo {
    enum class Kind { Unique, Nonexistent, Ambiguous } kind = Kind::Unique;
    SysSeconds first;   // Unique: the instant; Ambiguous: the earlier one; Nonexistent: the
                        // transition instant that ends the gap (first valid instant after it)
    SysSeconds second;  // Ambiguous: the later instant; otherwise equal to `first`
  };

  // The zone named `name` (e.g. "Europe/Berlin", "UTC"), loaded once and cached. Throws
  // ccetl::Error(Config) when the name is invalid or no such zone is installed.
  static std::shared_ptr<const TimeZone> locate(const std::string& name);
  static std::shared_ptr<const TimeZone> utc();
  // True when `name` is a safe zone name (no "..", not absolute) of an installed zone.
  static bool exists(const std::string& name);

  const std::string& name() const { return name_; }
  // Offset from UTC (east positive) in effect at `t`.
  std::chrono::seconds offset_at(SysSeconds t) const;
  LocalSeconds to_local(SysSeconds t) const;
  LocalInfo resolve(LocalSeconds local) const;

 private:
  TimeZone() = default;
  // For a date after the stored transitions of a zone that keeps daylight saving: how far the
  // equivalent stored date lies before it (zero when date's own answer holds).
  std::chrono::days shift_into_table(std::chrono::sys_days day) const;

  std::string name_;
  const date::time_zone* zone_ = nullptr;  // null: UTC
  int last_table_year_ = 0;  // year of the last stored transition when the footer has DST, else 0
};

}  // namespace ccetl
