// Typed rendering of single values (package/value_text.h).
#include <catch2/catch.hpp>

#include "package/decoder.h"
#include "package/value_text.h"

using namespace ccetl::package_detail;

namespace {
// Rendered text, or "REJECT:<reason>".
template <typename F>
std::string r(F render, std::string_view text) {
  std::string out = "x";
  const char* reason = render(text, out);
  if (reason) {
    CHECK(out == "x");  // unchanged on reject
    return std::string("REJECT:") + reason;
  }
  return out.substr(1);
}
}  // namespace

TEST_CASE("integers", "[package][values]") {
  CHECK(r(render_integer, "0") == "0");
  CHECK(r(render_integer, "-825000") == "-825000");
  CHECK(r(render_integer, "+7") == "7");
  CHECK(r(render_integer, "3.0") == "3");
  CHECK(r(render_integer, "1e3") == "1000");
  CHECK(r(render_integer, "9223372036854775807") == "9223372036854775807");
  CHECK(r(render_integer, "-9223372036854775808") == "-9223372036854775808");
  CHECK(r(render_integer, "9223372036854775808") == "REJECT:out of range");
  CHECK(r(render_integer, "-99999999999999999999") == "REJECT:out of range");
  CHECK(r(render_integer, "1e30") == "REJECT:out of range");
  CHECK(r(render_integer, "3.5") == "REJECT:not an integer");
  CHECK(r(render_integer, "") == "REJECT:not an integer");
  CHECK(r(render_integer, "12abc") == "REJECT:not an integer");
  CHECK(r(render_integer, " 12") == "REJECT:not an integer");
  CHECK(r(render_integer, "++1") == "REJECT:not an integer");
  CHECK(r(render_integer, "nan") == "REJECT:not an integer");
  CHECK(r(render_integer, "inf") == "REJECT:not an integer");
}

TEST_CASE("doubles", "[package][values]") {
  CHECK(r(render_double, "1.5") == "1.5");
  CHECK(r(render_double, "0.1") == "0.1");
  CHECK(r(render_double, "-2e3") == "-2000");
  CHECK(r(render_double, "+4.25") == "4.25");
  CHECK(r(render_double, "3") == "3");
  CHECK(r(render_double, "0.30000000000000004") == "0.30000000000000004");  // round-trips
  CHECK(r(render_double, "1e308") == "1e+308");
  CHECK(r(render_double, "1e400") == "REJECT:out of range");
  CHECK(r(render_double, "nan") == "REJECT:not a number");
  CHECK(r(render_double, "Infinity") == "REJECT:not a number");
  CHECK(r(render_double, "abc") == "REJECT:not a number");
  CHECK(r(render_double, "") == "REJECT:not a number");
}

TEST_CASE("booleans", "[package][values]") {
  for (const char* t : {"true", "TRUE", "Yes", "1"}) CHECK(r(render_boolean, t) == "t");
  for (const char* f : {"false", "False", "no", "NO", "0"}) CHECK(r(render_boolean, f) == "f");
  for (const char* bad : {"", "2", "y", "truth", "on"}) CHECK(r(render_boolean, bad) == "REJECT:not a boolean");
}

TEST_CASE("dates", "[package][values]") {
  CHECK(r(render_date, "2016-10-26") == "2016-10-26");
  CHECK(r(render_date, "2016-10-26T22:30:56") == "2016-10-26 22:30:56");
  CHECK(r(render_date, "2016-10-26 22:30") == "2016-10-26 22:30:00");
  CHECK(r(render_date, "2016-10-26T22:30:56.123456") == "2016-10-26 22:30:56.123456");
  CHECK(r(render_date, "2016-10-26T22:30:56Z") == "2016-10-26 22:30:56+00:00");
  CHECK(r(render_date, "2020-01-01T00:00:00+0000") == "2020-01-01 00:00:00+00:00");
  // Offsets: the instant, in UTC.
  CHECK(r(render_date, "2050-09-30T12:00:00-07:00") == "2050-09-30 19:00:00+00:00");
  CHECK(r(render_date, "2050-09-30T12:00:00+05") == "2050-09-30 07:00:00+00:00");
  CHECK(r(render_date, "2024-02-29T23:30:15.25-05:30") == "2024-03-01 05:00:15.25+00:00");
  CHECK(r(render_date, "2024-03-01T01:00+02:00") == "2024-02-29 23:00:00+00:00");
  CHECK(r(render_date, "2023-12-31T20:00:00-04:00") == "2024-01-01 00:00:00+00:00");
  CHECK(r(render_date, "0999-01-01T00:00:00+00:01") == "0998-12-31 23:59:00+00:00");
  CHECK(r(render_date, "0001-01-01T00:30:00+01:00") == "REJECT:invalid date");
  CHECK(r(render_date, "2024-02-29") == "2024-02-29");  // leap year
  CHECK(r(render_date, "2000-02-29") == "2000-02-29");  // divisible by 400
  CHECK(r(render_date, "0099-01-01") == "0099-01-01");
  CHECK(r(render_date, "2023-02-29") == "REJECT:invalid date");
  CHECK(r(render_date, "1900-02-29") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-02-30") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-13-01") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-04-31") == "REJECT:invalid date");
  CHECK(r(render_date, "0000-01-01") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-01-01T24:00:00") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-01-01T23:60") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-01-01T23:59:60") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-01-01T10:00:00+16:00") == "REJECT:invalid date");
  CHECK(r(render_date, "2023-1-01") == "REJECT:not a date");
  CHECK(r(render_date, "01/02/2023") == "REJECT:not a date");
  CHECK(r(render_date, "2023-01-01T") == "REJECT:not a date");
  CHECK(r(render_date, "2023-01-01T10") == "REJECT:not a date");
  CHECK(r(render_date, "2023-01-01T10:00:00.") == "REJECT:not a date");
  CHECK(r(render_date, "2023-01-01T10:00:00Zjunk") == "REJECT:not a date");
  CHECK(r(render_date, "2023-01-01x") == "REJECT:not a date");
  CHECK(r(render_date, "") == "REJECT:not a date");
}

TEST_CASE("strings are COPY-escaped and NUL is rejected", "[package][values]") {
  CHECK(r(render_string, "a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e");
  CHECK(r(render_string, "héllo \x01") == "héllo \x01");
  CHECK(r(render_string, std::string_view("a\0b", 3)) == "REJECT:contains NUL byte");
  std::string long_text(100, 'x');
  long_text[50] = '\\';
  CHECK(r(render_string, long_text) == long_text.substr(0, 50) + "\\\\" + long_text.substr(51));
}

TEST_CASE("JSON strings, raw reject values and number syntax", "[package][values]") {
  std::string j;
  append_json_string(j, std::string_view("q\"b\\n\n\x01\0", 8), true);
  CHECK(j == "\"q\\\"b\\\\n\\n\\u0001\xEF\xBF\xBD\"");
  j.clear();
  append_json_string(j, std::string_view("\0", 1), false);
  CHECK(j == "\"\\u0000\"");
  CHECK(reject_raw_value(std::string_view("a\0b", 3)) == "a\\0b");
  std::string big(2000, 'y');
  CHECK(reject_raw_value(big).size() == 1024);
  std::string utf = std::string(1023, 'a') + "é";  // 'é' straddles the 1 KiB limit
  CHECK(reject_raw_value(utf) == std::string(1023, 'a'));
  for (const char* ok : {"0", "-0", "12", "-1.5", "1e5", "1E+5", "2.5e-3"}) CHECK(is_json_number(ok));
  for (const char* bad : {"", "-", "01", "1.", ".5", "1e", "+1", "1x", "0x10", "--1"}) CHECK_FALSE(is_json_number(bad));
}

TEST_CASE("COPY escaping agrees with a byte-by-byte reference at every position", "[package][values]") {
  auto reference = [](std::string_view s) {
    std::string r;
    for (char c : s) {
      if (c == '\\') r += "\\\\";
      else if (c == '\n') r += "\\n";
      else if (c == '\r') r += "\\r";
      else if (c == '\t') r += "\\t";
      else r += c;
    }
    return r;
  };
  for (char special : {'\\', '\n', '\r', '\t', '\0', '\x01', '\x80'}) {
    for (size_t len : {1, 7, 8, 9, 16, 17, 33}) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = special;
        std::string out = "pre";
        ccetl::append_copy_escaped(out, s);
        CHECK(out == "pre" + reference(s));
        out = "pre";
        const bool ok = append_copy_escaped_unless_nul(out, s);
        CHECK(ok == (special != '\0'));
        CHECK(out == (ok ? "pre" + reference(s) : "pre"));
      }
    }
  }
}
