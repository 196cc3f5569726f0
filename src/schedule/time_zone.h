// IANA time zones read from the system's TZif files (/usr/share/zoneinfo), because GCC 12's
// libstdc++ has no std::chrono::tzdb and setting TZ for localtime_r/mktime is process-global
// (not usable in a multi-threaded daemon). Supports TZif v1-v4 (the 64-bit section when present)
// and the POSIX TZ footer rule for instants after the last stored transition.
//
// A TimeZone is immutable after loading and safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccetl {

using SysSeconds = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;

// A POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" (offsets stored east-positive, seconds).
struct PosixTzRule {
  struct Date {
    enum class Kind { Julian1, Julian0, MonthWeekDay } kind = Kind::MonthWeekDay;
    int day = 0;    // Jn: 1..365, n: 0..365, Mm.w.d: weekday 0..6
    int month = 0;  // Mm.w.d only
    int week = 0;   // Mm.w.d only, 1..5 (5 = last)
    int64_t time = 7200;  // seconds after local midnight (may be negative or > 24h)
  };
  int64_t std_offset = 0;
  bool has_dst = false;
  int64_t dst_offset = 0;
  Date dst_start;
  Date dst_end;

  // Parses a TZ string; nullopt when malformed.
  static std::optional<PosixTzRule> parse(const std::string& text);
  int64_t offset_at(int64_t utc_seconds) const;
};

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
  // Reads a TZif file directly (tests, unusual installations). Throws ccetl::Error(Config).
  static std::shared_ptr<const TimeZone> load_file(const std::string& name, const std::string& path);
  static std::shared_ptr<const TimeZone> utc();
  // True when `name` is a safe zone name (no "..", not absolute) naming an installed TZif file.
  static bool exists(const std::string& name);

  const std::string& name() const { return name_; }
  // Offset from UTC (east positive) in effect at `t`.
  std::chrono::seconds offset_at(SysSeconds t) const;
  LocalSeconds to_local(SysSeconds t) const;
  LocalInfo resolve(LocalSeconds local) const;

 private:
  TimeZone() = default;
  static std::shared_ptr<const TimeZone> parse_tzif(const std::string& name, const std::string& bytes);

  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int64_t> offsets_;      // offset in effect from transitions_[i] on
  int64_t initial_offset_ = 0;        // before the first transition
  std::optional<PosixTzRule> rule_;   // after the last transition
};

}  // namespace ccetl
