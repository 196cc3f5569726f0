#include "package/value_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "package/decoder.h"

namespace ccetl::package_detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != b[i]) return false;
  return true;
}

// Parses a double from JSON-like text (optional '+'); false when the whole text is not a number.
// `range_error` reports a number that does not fit a double.
bool parse_double(std::string_view text, double& value, bool& range_error) {
  range_error = false;
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  // from_chars also accepts inf/nan and hex-less forms like ".5"; require a digit to start
  // (after '-') so only decimal numbers pass, and reject "inf"/"nan" spellings.
  size_t first = (text[0] == '-') ? 1 : 0;
  if (first >= text.size() || !(is_digit(text[first]) || text[first] == '.')) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ptr != text.data() + text.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    range_error = true;
    return false;
  }
  return ec == std::errc{};
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

void append_2(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

// Reads exactly `n` digits at text[pos]; advances pos.
bool read_digits(std::string_view text, size_t& pos, int n, int& value) {
  if (pos + n > text.size()) return false;
  value = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace

const char* render_integer(std::string_view text, std::string& out) {
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  if (digits.empty()) return "not an integer";
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ptr == digits.data() + digits.size() && ec == std::errc{} && digits[0] != '+') {
    append_int(out, v);
    return nullptr;
  }
  if (ec == std::errc::result_out_of_range) {
    // All digits but too large: make sure nothing but digits follows before calling it a range error.
    size_t i = (digits[0] == '-') ? 1 : 0;
    while (i < digits.size() && is_digit(digits[i])) ++i;
    if (i == digits.size()) return "out of range";
  }
  double d = 0;
  bool range_error = false;
  if (!parse_double(text, d, range_error)) return range_error ? "out of range" : "not an integer";
  if (!std::isfinite(d) || d != std::trunc(d)) return "not an integer";
  // 2^63 is exactly representable; anything at or beyond it does not fit int64.
  if (d >= 9223372036854775808.0 || d < -9223372036854775808.0) return "out of range";
  append_int(out, static_cast<int64_t>(d));
  return nullptr;
}

const char* render_double(std::string_view text, std::string& out) {
  double d = 0;
  bool range_error = false;
  if (!parse_double(text, d, range_error)) return range_error ? "out of range" : "not a number";
  if (!std::isfinite(d)) return "not a finite number";
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that round-trips
  out.append(buf, ptr);
  return nullptr;
}

const char* render_boolean(std::string_view text, std::string& out) {
  if (iequals(text, "true") || iequals(text, "yes") || text == "1") {
    out.push_back('t');
    return nullptr;
  }
  if (iequals(text, "false") || iequals(text, "no") || text == "0") {
    out.push_back('f');
    return nullptr;
  }
  return "not a boolean";
}

const char* render_date(std::string_view text, std::string& out) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!read_digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, day))
    return "not a date";
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return "invalid date";
  const size_t start = out.size();
  append_int(out, year);  // 4 digits: year >= 1000 prints as is; pad smaller years
  if (year < 1000) out.insert(start, year < 10 ? "000" : year < 100 ? "00" : "0");
  out.push_back('-');
  append_2(out, month);
  out.push_back('-');
  append_2(out, day);
  if (pos == text.size()) return nullptr;

  auto fail = [&](const char* reason) {
    out.resize(start);
    return reason;
  };
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return fail("not a date");
  ++pos;
  int hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
      !read_digits(text, pos, 2, minute))
    return fail("not a date");
  std::string_view fraction;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!read_digits(text, pos, 2, second)) return fail("not a date");
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      size_t f = ++pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      if (pos == f || pos - f > 9) return fail("not a date");
      fraction = text.substr(f, pos - f);
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return fail("invalid date");
  out.push_back(' ');
  append_2(out, hour);
  out.push_back(':');
  append_2(out, minute);
  out.push_back(':');
  append_2(out, second);
  if (!fraction.empty()) {
    out.push_back('.');
    out.append(fraction);
  }
  if (pos == text.size()) return nullptr;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    if (pos + 1 != text.size()) return fail("not a date");
    out.append("+00:00");
    return nullptr;
  }
  if (text[pos] != '+' && text[pos] != '-') return fail("not a date");
  const char sign = text[pos++];
  int oh = 0, om = 0;
  if (!read_digits(text, pos, 2, oh)) return fail("not a date");
  if (pos < text.size()) {
    if (text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, om)) return fail("not a date");
  }
  if (pos != text.size()) return fail("not a date");
  if (oh > 15 || om > 59) return fail("invalid date");  // PostgreSQL accepts offsets up to 15:59
  // The instant in UTC: a `timestamp` column (which ignores offsets) then holds the UTC time, a
  // `timestamptz` column the same instant.
  int64_t minutes = (days_from_civil(year, month, day) * 24 + hour) * 60 + minute -
                    (sign == '-' ? -1 : 1) * (oh * 60 + om);
  int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  int64_t of_day = minutes - days * 1440;
  int y = 0, m = 0, d = 0;
  civil_from_days(days, y, m, d);
  if (y < 1) return fail("invalid date");  // before 0001-01-01 UTC: no year 0 in PostgreSQL
  out.resize(start);
  append_int(out, y);
  if (y < 1000) out.insert(start, y < 10 ? "000" : y < 100 ? "00" : "0");
  out.push_back('-');
  append_2(out, m);
  out.push_back('-');
  append_2(out, d);
  out.push_back(' ');
  append_2(out, static_cast<int>(of_day / 60));
  out.push_back(':');
  append_2(out, static_cast<int>(of_day % 60));
  out.push_back(':');
  append_2(out, second);
  if (!fraction.empty()) {
    out.push_back('.');
    out.append(fraction);
  }
  out.append("+00:00");
  return nullptr;
}

const char* render_string(std::string_view text, std::string& out) {
  return append_copy_escaped_unless_nul(out, text) ? nullptr : "contains NUL byte";
}

std::string reject_raw_value(std::string_view text) {
  constexpr size_t kMax = 1024;
  if (text.size() > kMax) {
    size_t cut = kMax;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  std::string raw;
  raw.reserve(text.size());
  for (char c : text) {
    if (c == '\0')
      raw.append("\\0");
    else
      raw.push_back(c);
  }
  return raw;
}

std::string_view trim_json_ws(std::string_view text) {
  while (!text.empty()) {
    char c = text.back();
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    text.remove_suffix(1);
  }
  return text;
}

bool is_json_number(std::string_view t) {
  size_t i = 0, n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i >= n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (is_digit(t[i])) {
    while (i < n && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  if (i < n && t[i] == '.') {
    size_t f = ++i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == f) return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    size_t e = i;
    while (i < n && is_digit(t[i])) ++i;
    if (i == e) return false;
  }
  return i == n;
}

}  // namespace ccetl::package_detail
