#include "schedule/time_zone.h"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include "core/error.h"

namespace ccetl {
namespace {

constexpr const char* kZoneDir = "/usr/share/zoneinfo";
// Every weekday of a given month and day recurs within 28 consecutive years (the Julian cycle;
// true for any 28 years of 1901-2099, and the stored years are there).
constexpr int kWeekdayCycleYears = 28;

bool valid_zone_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name[0] == '/' || name[0] == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
}

// The POSIX TZ string at the end of a TZif v2+ file ("EST5EDT,M3.2.0,M11.1.0"); empty for v1.
std::string tzif_footer(const std::string& name) {
  std::ifstream in(std::string(kZoneDir) + "/" + name, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 2 || bytes.back() != '\n') return {};
  auto start = bytes.rfind('\n', bytes.size() - 2);
  return start == std::string::npos ? std::string() : bytes.substr(start + 1, bytes.size() - start - 2);
}

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;  // not installed, or no readable tz database at all
  }
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::utc() {
  static const std::shared_ptr<const TimeZone> kUtc = [] {
    std::shared_ptr<TimeZone> zone(new TimeZone());
    zone->name_ = "UTC";
    return zone;
  }();
  return kUtc;
}

bool TimeZone::exists(const std::string& name) {
  return name == "UTC" || (valid_zone_name(name) && find_zone(name) != nullptr);
}

std::shared_ptr<const TimeZone> TimeZone::locate(const std::string& name) {
  if (name == "UTC") return utc();
  if (!valid_zone_name(name)) throw Error(ErrorKind::Config, "'" + name + "' is not a valid time zone name");
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const date::time_zone* found = find_zone(name);
  if (!found)
    throw Error(ErrorKind::Config, "unknown time zone '" + name + "' (not in " + std::string(kZoneDir) + ")");
  std::shared_ptr<TimeZone> zone(new TimeZone());
  zone->name_ = name;
  zone->zone_ = found;
  // A footer with a DST rule (a ',' separates its start and end) means the table's last years
  // were generated from it and repeat; otherwise the last stored offset holds for ever.
  if (tzif_footer(name).find(',') != std::string::npos) {
    const date::sys_info last = found->get_info(date::sys_days{date::year{9999} / 1 / 1});
    zone->last_table_year_ = static_cast<int>(date::year_month_day{date::floor<date::days>(last.begin)}.year());
    if (zone->last_table_year_ < 2037)
      throw Error(ErrorKind::Config, "time zone '" + name + "': " + kZoneDir + "/" + name + " stores transitions only up to " +
                                         std::to_string(zone->last_table_year_) +
                                         " (a 'slim' file); install Debian's tzdata, which stores them up to 2037");
  }
  cache.emplace(name, zone);
  return zone;
}

std::chrono::days TimeZone::shift_into_table(std::chrono::sys_days day) const {
  using namespace std::chrono;
  const year_month_day ymd{day};
  if (last_table_year_ == 0 || static_cast<int>(ymd.year()) <= last_table_year_) return days{0};
  const weekday wanted{day};
  for (int y = last_table_year_; y > last_table_year_ - kWeekdayCycleYears; --y) {
    const year_month_day candidate{year{y}, ymd.month(), ymd.day()};
    if (candidate.ok() && weekday{sys_days{candidate}} == wanted) return day - sys_days{candidate};
  }
  return days{0};  // unreachable for real dates: every (month, day, weekday) recurs in the cycle
}

std::chrono::seconds TimeZone::offset_at(SysSeconds t) const {
  if (!zone_) return std::chrono::seconds{0};
  const auto shift = shift_into_table(std::chrono::floor<std::chrono::days>(t));
  return zone_->get_info(date::sys_seconds{t - shift}).offset;
}

LocalSeconds TimeZone::to_local(SysSeconds t) const { return LocalSeconds{t.time_since_epoch() + offset_at(t)}; }

TimeZone::LocalInfo TimeZone::resolve(LocalSeconds local) const {
  LocalInfo out;
  if (!zone_) {
    out.first = out.second = SysSeconds{local.time_since_epoch()};
    return out;
  }
  const auto shift = shift_into_table(std::chrono::sys_days{std::chrono::floor<std::chrono::days>(local).time_since_epoch()});
  const date::local_seconds shifted{local.time_since_epoch() - shift};
  const date::local_info info = zone_->get_info(shifted);
  // An instant of the shifted local time, moved back to the year asked about.
  auto instant = [&](std::chrono::seconds offset) { return SysSeconds{shifted.time_since_epoch() - offset + shift}; };
  switch (info.result) {
    case date::local_info::unique:
      out.first = out.second = instant(info.first.offset);
      break;
    case date::local_info::nonexistent:
      out.kind = LocalInfo::Kind::Nonexistent;
      out.first = out.second = SysSeconds{info.second.begin + shift};
      break;
    case date::local_info::ambiguous:
      out.kind = LocalInfo::Kind::Ambiguous;
      out.first = instant(info.first.offset);
      out.second = instant(info.second.offset);
      break;
  }
  return out;
}

}  // namespace ccetl
