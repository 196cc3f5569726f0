// Parsing of 5-field cron expressions (minute hour day-of-month month day-of-week) into sets of
// allowed values. Header-only so that the config layer can check `schedule:` syntax without
// linking the schedule layer; evaluation against a time zone lives in cron.h.
//
// Accepted syntax (Vixie cron): per field a comma-separated list of `*`, `N`, `N-M`, each
// optionally followed by `/STEP`; `N/STEP` means N-max/STEP. Months JAN-DEC and weekdays SUN-SAT
// by name, case-insensitive; weekday 7 is Sunday. Macros @yearly @annually @monthly @weekly
// @daily @midnight @hourly. Ranges do not wrap (`FRI-MON` is an error).
#pragma once

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccetl {

struct CronExpr {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1..31
  std::bitset<13> months;         // bits 1..12
  std::bitset<7> days_of_week;    // 0 = Sunday
  // Vixie rule: when both day fields are restricted (neither starts with '*'), a day matches
  // if EITHER matches; otherwise both must match.
  bool dom_star = true;
  bool dow_star = true;
};

namespace cron_detail {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // names[i] is the value min+i (or nullptr)
  int name_count;
};

inline constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
inline constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A number or a name; sets `error` and returns nullopt when neither.
inline std::optional<int> parse_value(std::string_view text, const FieldSpec& spec,
                                      std::string& error) {
  if (text.empty()) {
    error = "empty value";
    return std::nullopt;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 4) {
      error = "'" + std::string(text) + "' is out of range";
      return std::nullopt;
    }
    int v = std::stoi(std::string(text));
    if (v < spec.min || v > spec.max) {
      error = "value " + std::string(text) + " is out of range " + std::to_string(spec.min) + "-" +
              std::to_string(spec.max);
      return std::nullopt;
    }
    return v;
  }
  std::string name = upper(text);
  for (int i = 0; i < spec.name_count; ++i) {
    if (name == spec.names[i]) return spec.min + i;
  }
  error = "'" + std::string(text) + "' is not a number" +
          (spec.name_count ? std::string(" or a name (") + spec.names[0] + "-" +
                                 spec.names[spec.name_count - 1] + ")"
                           : std::string());
  return std::nullopt;
}

// Parses one field into `bits` (index = value). Returns false with `error` set.
template <size_t N>
bool parse_field(std::string_view text, const FieldSpec& spec, std::bitset<N>& bits,
                 std::string& error) {
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) {
      error = "empty list element";
      return false;
    }
    std::string_view range = item;
    int step = 1;
    bool has_step = false;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view step_text = item.substr(slash + 1);
      range = item.substr(0, slash);
      if (step_text.empty() || step_text.size() > 4 ||
          !std::all_of(step_text.begin(), step_text.end(),
                       [](char c) { return c >= '0' && c <= '9'; })) {
        error = "step '" + std::string(step_text) + "' is not a positive number";
        return false;
      }
      step = std::stoi(std::string(step_text));
      if (step == 0) {
        error = "step must be at least 1";
        return false;
      }
      has_step = true;
    }
    int lo = spec.min;
    int hi = spec.max;
    if (range != "*") {
      size_t dash = range.find('-');
      auto first = parse_value(range.substr(0, dash), spec, error);
      if (!first) return false;
      lo = *first;
      if (dash != std::string_view::npos) {
        auto last = parse_value(range.substr(dash + 1), spec, error);
        if (!last) return false;
        hi = *last;
        if (hi < lo) {
          error = "range " + std::string(range) + " is backwards (ranges do not wrap)";
          return false;
        }
      } else if (!has_step) {
        hi = lo;
      }
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return true;
}

inline int days_in_month_max(int month) {
  static constexpr int kDays[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month];
}

}  // namespace cron_detail

// Parses `text`. On failure returns nullopt and sets `error` to a message naming the field and
// the problem, e.g. "hour field: value 24 is out of range 0-23".
inline std::optional<CronExpr> parse_cron(std::string_view text, std::string& error) {
  using namespace cron_detail;
  std::string trimmed(text);
  trimmed.erase(0, trimmed.find_first_not_of(" \t"));
  trimmed.erase(trimmed.find_last_not_of(" \t") + 1);
  if (!trimmed.empty() && trimmed[0] == '@') {
    static constexpr std::array<std::pair<const char*, const char*>, 7> kMacros = {{
        {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"},
        {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},
        {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    }};
    std::string lower = trimmed;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [name, expansion] : kMacros) {
      if (lower == name) return parse_cron(expansion, error);
    }
    error = "unknown macro '" + trimmed +
            "' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)";
    return std::nullopt;
  }
  std::vector<std::string_view> fields;
  std::string_view rest = trimmed;
  while (!rest.empty()) {
    size_t end = rest.find_first_of(" \t");
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest = rest.substr(end);
    rest.remove_prefix(std::min(rest.find_first_not_of(" \t"), rest.size()));
  }
  if (fields.size() != 5) {
    error = "expected 5 fields (minute hour day-of-month month day-of-week), got " +
            std::to_string(fields.size());
    return std::nullopt;
  }
  static const FieldSpec kMinute{"minute", 0, 59, nullptr, 0};
  static const FieldSpec kHour{"hour", 0, 23, nullptr, 0};
  static const FieldSpec kDom{"day-of-month", 1, 31, nullptr, 0};
  static const FieldSpec kMonth{"month", 1, 12, kMonthNames, 12};
  static const FieldSpec kDow{"day-of-week", 0, 7, kDayNames, 7};
  CronExpr expr;
  std::bitset<8> dow;
  std::string field_error;
  auto check = [&](size_t index, const FieldSpec& spec, auto& bits) {
    if (parse_field(fields[index], spec, bits, field_error)) return true;
    error = std::string(spec.name) + " field '" + std::string(fields[index]) + "': " + field_error;
    return false;
  };
  if (!check(0, kMinute, expr.minutes) || !check(1, kHour, expr.hours) ||
      !check(2, kDom, expr.days_of_month) || !check(3, kMonth, expr.months) ||
      !check(4, kDow, dow)) {
    return std::nullopt;
  }
  for (size_t d = 0; d < 7; ++d) expr.days_of_week[d] = dow[d];
  if (dow[7]) expr.days_of_week.set(0);
  expr.dom_star = fields[2][0] == '*';
  expr.dow_star = fields[4][0] == '*';
  // With an unrestricted weekday only the day of month decides: reject dates no month has.
  if (expr.dow_star) {
    bool possible = false;
    for (int m = 1; m <= 12 && !possible; ++m) {
      if (!expr.months[static_cast<size_t>(m)]) continue;
      for (int d = 1; d <= days_in_month_max(m); ++d) {
        if (expr.days_of_month[static_cast<size_t>(d)]) possible = true;
      }
    }
    if (!possible) {
      error = "day-of-month field '" + std::string(fields[2]) +
              "': no selected month has such a day, the schedule would never fire";
      return std::nullopt;
    }
  }
  return expr;
}

}  // namespace ccetl
