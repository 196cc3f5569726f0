// TZif reading follows RFC 8536; the footer is a POSIX TZ string (RFC 8536 section 3.3).
#include "schedule/time_zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>

#include "core/error.h"

namespace ccetl {
namespace {

constexpr const char* kZoneDir = "/usr/share/zoneinfo";

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t days_from_civil(int64_t y, int m, int d) {
  using namespace std::chrono;
  return sys_days{year{static_cast<int>(y)} / month{static_cast<unsigned>(m)} /
                  day{static_cast<unsigned>(d)}}
      .time_since_epoch()
      .count();
}

int64_t year_of(int64_t seconds) {
  using namespace std::chrono;
  year_month_day ymd{sys_days{days{floor_div(seconds, 86400)}}};
  return static_cast<int>(ymd.year());
}

// A tiny cursor over the POSIX TZ string.
class TzScanner {
 public:
  explicit TzScanner(const std::string& s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool name() {
    if (consume('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string::npos) return false;
      i_ = close + 1;
      return true;
    }
    size_t start = i_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return i_ - start >= 3;
  }
  std::optional<int64_t> number(int max_digits) {
    size_t start = i_;
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek())) && i_ - start < size_t(max_digits)) {
      v = v * 10 + (s_[i_++] - '0');
    }
    if (i_ == start) return std::nullopt;
    return v;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  std::optional<int64_t> time() {
    int64_t sign = 1;
    if (consume('-')) sign = -1;
    else consume('+');
    auto h = number(3);
    if (!h) return std::nullopt;
    int64_t total = *h * 3600;
    if (consume(':')) {
      auto m = number(2);
      if (!m) return std::nullopt;
      total += *m * 60;
      if (consume(':')) {
        auto sec = number(2);
        if (!sec) return std::nullopt;
        total += *sec;
      }
    }
    return sign * total;
  }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

std::optional<PosixTzRule::Date> parse_rule_date(TzScanner& in) {
  PosixTzRule::Date date;
  if (in.consume('M')) {
    auto m = in.number(2);
    if (!m || !in.consume('.')) return std::nullopt;
    auto w = in.number(1);
    if (!w || !in.consume('.')) return std::nullopt;
    auto d = in.number(1);
    if (!d || *m < 1 || *m > 12 || *w < 1 || *w > 5 || *d > 6) return std::nullopt;
    date.kind = PosixTzRule::Date::Kind::MonthWeekDay;
    date.month = int(*m);
    date.week = int(*w);
    date.day = int(*d);
  } else if (in.consume('J')) {
    auto n = in.number(3);
    if (!n || *n < 1 || *n > 365) return std::nullopt;
    date.kind = PosixTzRule::Date::Kind::Julian1;
    date.day = int(*n);
  } else {
    auto n = in.number(3);
    if (!n || *n > 365) return std::nullopt;
    date.kind = PosixTzRule::Date::Kind::Julian0;
    date.day = int(*n);
  }
  if (in.consume('/')) {
    auto t = in.time();
    if (!t) return std::nullopt;
    date.time = *t;
  }
  return date;
}

// Local midnight (as days since the epoch) of `date` in `year`.
int64_t rule_day(const PosixTzRule::Date& date, int64_t year) {
  using Kind = PosixTzRule::Date::Kind;
  int64_t jan1 = days_from_civil(year, 1, 1);
  switch (date.kind) {
    case Kind::Julian1:
      return jan1 + date.day - 1 + ((is_leap(year) && date.day >= 60) ? 1 : 0);
    case Kind::Julian0:
      return jan1 + date.day;
    case Kind::MonthWeekDay: {
      int64_t first = days_from_civil(year, date.month, 1);
      int64_t first_weekday = (first % 7 + 11) % 7;  // 1970-01-01 was a Thursday (4)
      int64_t day = first + (date.day - first_weekday + 7) % 7 + (date.week - 1) * 7;
      int64_t next_month = date.month == 12 ? days_from_civil(year + 1, 1, 1)
                                            : days_from_civil(year, date.month + 1, 1);
      while (day >= next_month) day -= 7;
      return day;
    }
  }
  return jan1;
}

}  // namespace

std::optional<PosixTzRule> PosixTzRule::parse(const std::string& text) {
  TzScanner in(text);
  PosixTzRule rule;
  if (!in.name()) return std::nullopt;
  auto std_time = in.time();
  if (!std_time) return std::nullopt;
  rule.std_offset = -*std_time;
  if (in.done()) return rule;
  if (!in.name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (!in.done() && in.peek() != ',') {
    auto dst_time = in.time();
    if (!dst_time) return std::nullopt;
    rule.dst_offset = -*dst_time;
  }
  if (in.done()) {  // POSIX default; TZif footers always carry explicit rules
    rule.dst_start = {Date::Kind::MonthWeekDay, 0, 3, 2, 7200};
    rule.dst_end = {Date::Kind::MonthWeekDay, 0, 11, 1, 7200};
    return rule;
  }
  if (!in.consume(',')) return std::nullopt;
  auto start = parse_rule_date(in);
  if (!start || !in.consume(',')) return std::nullopt;
  auto end = parse_rule_date(in);
  if (!end || !in.done()) return std::nullopt;
  rule.dst_start = *start;
  rule.dst_end = *end;
  return rule;
}

int64_t PosixTzRule::offset_at(int64_t utc) const {
  if (!has_dst) return std_offset;
  int64_t year = year_of(utc + std_offset);
  int64_t start = rule_day(dst_start, year) * 86400 + dst_start.time - std_offset;
  int64_t end = rule_day(dst_end, year) * 86400 + dst_end.time - dst_offset;
  bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? dst_offset : std_offset;
}

namespace {

class ByteReader {
 public:
  ByteReader(const std::string& bytes, size_t pos) : b_(bytes), pos_(pos) {}
  bool has(size_t n) const { return pos_ + n <= b_.size(); }
  int64_t be(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
  void skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  size_t pos_;
};

struct TzifHeader {
  char version = 0;
  int64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  size_t data_size(int time_size) const {
    return size_t(timecnt * time_size + timecnt + typecnt * 6 + charcnt +
                  leapcnt * (time_size + 4) + isstdcnt + isutcnt);
  }
};

std::optional<TzifHeader> read_header(ByteReader& in, const std::string& bytes) {
  if (!in.has(44) || bytes.compare(in.pos(), 4, "TZif") != 0) return std::nullopt;
  TzifHeader h;
  h.version = bytes[in.pos() + 4];
  in.skip(20);
  h.isutcnt = in.be(4);
  h.isstdcnt = in.be(4);
  h.leapcnt = in.be(4);
  h.timecnt = in.be(4);
  h.typecnt = in.be(4);
  h.charcnt = in.be(4);
  if (h.isutcnt < 0 || h.isstdcnt < 0 || h.leapcnt < 0 || h.timecnt < 0 || h.typecnt <= 0 ||
      h.charcnt < 0 || h.typecnt > 256 || h.timecnt > 100000) {
    return std::nullopt;
  }
  return h;
}

bool valid_zone_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name[0] == '/' || name[0] == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
           c == '+';
  });
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::parse_tzif(const std::string& name,
                                                     const std::string& bytes) {
  auto bad = [&] {
    return Error(ErrorKind::Config, "time zone '" + name + "': not a valid TZif file");
  };
  ByteReader in(bytes, 0);
  auto h = read_header(in, bytes);
  if (!h) throw bad();
  int time_size = 4;
  if (h->version >= '2') {  // skip the 32-bit block, use the 64-bit one
    if (!in.has(h->data_size(4))) throw bad();
    in.skip(h->data_size(4));
    h = read_header(in, bytes);
    if (!h) throw bad();
    time_size = 8;
  }
  if (!in.has(h->data_size(time_size))) throw bad();
  std::shared_ptr<TimeZone> zone(new TimeZone());
  zone->name_ = name;
  std::vector<int64_t> times(size_t(h->timecnt));
  for (auto& t : times) t = in.be(time_size);
  std::vector<int> indices(size_t(h->timecnt));
  for (auto& i : indices) i = static_cast<int>(in.be(1));
  std::vector<int64_t> type_offsets(size_t(h->typecnt));
  for (auto& o : type_offsets) {
    o = in.be(4);
    in.skip(2);  // isdst, desigidx
  }
  in.skip(size_t(h->charcnt + h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt));
  zone->initial_offset_ = type_offsets[0];
  for (size_t i = 0; i < times.size(); ++i) {
    if (indices[i] >= h->typecnt) throw bad();
    if (i > 0 && times[i] <= times[i - 1]) throw bad();
    zone->transitions_.push_back(times[i]);
    zone->offsets_.push_back(type_offsets[size_t(indices[i])]);
  }
  if (time_size == 8 && in.has(2) && bytes[in.pos()] == '\n') {
    size_t start = in.pos() + 1;
    size_t end = bytes.find('\n', start);
    if (end != std::string::npos && end > start) {
      zone->rule_ = PosixTzRule::parse(bytes.substr(start, end - start));
    }
  }
  return zone;
}

std::shared_ptr<const TimeZone> TimeZone::load_file(const std::string& name,
                                                    const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) throw Error(ErrorKind::Config, "time zone '" + name + "': cannot read " + path);
  return parse_tzif(name, *bytes);
}

std::shared_ptr<const TimeZone> TimeZone::utc() {
  static const std::shared_ptr<const TimeZone> kUtc = [] {
    std::shared_ptr<TimeZone> zone(new TimeZone());
    zone->name_ = "UTC";
    return zone;
  }();
  return kUtc;
}

bool TimeZone::exists(const std::string& name) {
  if (name == "UTC") return true;
  if (!valid_zone_name(name)) return false;
  std::ifstream in(std::string(kZoneDir) + "/" + name, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "TZif";
}

std::shared_ptr<const TimeZone> TimeZone::locate(const std::string& name) {
  if (name == "UTC") return utc();
  if (!valid_zone_name(name)) {
    throw Error(ErrorKind::Config, "'" + name + "' is not a valid time zone name");
  }
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  std::string path = std::string(kZoneDir) + "/" + name;
  auto bytes = read_file(path);
  if (!bytes) throw Error(ErrorKind::Config, "unknown time zone '" + name + "' (no " + path + ")");
  auto zone = parse_tzif(name, *bytes);
  cache.emplace(name, zone);
  return zone;
}

std::chrono::seconds TimeZone::offset_at(SysSeconds t) const {
  int64_t s = t.time_since_epoch().count();
  if (transitions_.empty() || s < transitions_.front()) {
    if (transitions_.empty() && rule_) return std::chrono::seconds{rule_->offset_at(s)};
    return std::chrono::seconds{initial_offset_};
  }
  if (s >= transitions_.back() && rule_) return std::chrono::seconds{rule_->offset_at(s)};
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  return std::chrono::seconds{offsets_[size_t(it - transitions_.begin()) - 1]};
}

LocalSeconds TimeZone::to_local(SysSeconds t) const {
  return LocalSeconds{t.time_since_epoch() + offset_at(t)};
}

// Assumes offsets change at most once within a day of `local`, true of every real zone.
TimeZone::LocalInfo TimeZone::resolve(LocalSeconds local) const {
  using std::chrono::seconds;
  const SysSeconds as_sys{local.time_since_epoch()};
  const seconds before = offset_at(as_sys - seconds{86400});
  const seconds after = offset_at(as_sys + seconds{86400});
  std::vector<SysSeconds> valid;
  for (seconds offset : {before, after}) {
    SysSeconds t = as_sys - offset;
    if (offset_at(t) == offset && std::find(valid.begin(), valid.end(), t) == valid.end()) {
      valid.push_back(t);
    }
  }
  std::sort(valid.begin(), valid.end());
  LocalInfo info;
  if (valid.size() == 1) {
    info.first = info.second = valid[0];
  } else if (valid.size() == 2) {
    info.kind = LocalInfo::Kind::Ambiguous;
    info.first = valid[0];
    info.second = valid[1];
  } else {
    // In a gap: the transition lies in (local - larger offset, local - smaller offset].
    info.kind = LocalInfo::Kind::Nonexistent;
    SysSeconds lo = as_sys - std::max(before, after);
    SysSeconds hi = as_sys - std::min(before, after);
    const seconds lo_offset = offset_at(lo);
    while (hi - lo > seconds{1}) {
      SysSeconds mid = lo + (hi - lo) / 2;
      (offset_at(mid) == lo_offset ? lo : hi) = mid;
    }
    info.first = info.second = hi;
  }
  return info;
}

}  // namespace ccetl
