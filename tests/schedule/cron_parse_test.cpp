#include <catch2/catch.hpp>

#include "core/error.h"
#include "schedule/cron.h"
#include "schedule/duration.h"

using namespace ccetl;

namespace {

CronExpr parse_ok(const std::string& text) {
  std::string error;
  auto expr = parse_cron(text, error);
  INFO(text << ": " << error);
  REQUIRE(expr);
  return *expr;
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto expr = parse_cron(text, error);
  INFO(text);
  REQUIRE_FALSE(expr);
  return error;
}

}  // namespace

TEST_CASE("cron: lists, ranges and steps", "[cron]") {
  auto e = parse_ok("*/15 1-10/2 1,15,31 * *");
  CHECK(e.minutes.count() == 4);
  CHECK(e.minutes[0]);
  CHECK(e.minutes[15]);
  CHECK(e.minutes[45]);
  CHECK_FALSE(e.minutes[5]);
  CHECK(e.hours.count() == 5);
  CHECK(e.hours[1]);
  CHECK(e.hours[9]);
  CHECK_FALSE(e.hours[10]);
  CHECK(e.days_of_month.count() == 3);
  CHECK(e.days_of_month[31]);
  CHECK(e.months.count() == 12);
  CHECK(e.days_of_week.count() == 7);
  CHECK(e.dom_star == false);
  CHECK(e.dow_star == true);

  auto s = parse_ok("5/20 * * * *");  // N/STEP = N-max/STEP
  CHECK(s.minutes.count() == 3);
  CHECK(s.minutes[5]);
  CHECK(s.minutes[25]);
  CHECK(s.minutes[45]);
}

TEST_CASE("cron: month and weekday names are case-insensitive; 7 is Sunday", "[cron]") {
  auto e = parse_ok("0 0 * jan,Mar-may sun");
  CHECK(e.months[1]);
  CHECK_FALSE(e.months[2]);
  CHECK(e.months[3]);
  CHECK(e.months[5]);
  CHECK(e.months.count() == 4);
  CHECK(e.days_of_week[0]);
  CHECK(e.days_of_week.count() == 1);
  CHECK_FALSE(e.dow_star);

  auto seven = parse_ok("0 0 * * 7");
  CHECK(seven.days_of_week[0]);
  CHECK(seven.days_of_week.count() == 1);
  auto range = parse_ok("0 0 * * MON-FRI");
  CHECK(range.days_of_week.count() == 5);
  CHECK_FALSE(range.days_of_week[0]);
  CHECK_FALSE(range.days_of_week[6]);
  auto fri_to_sun = parse_ok("0 0 * * 5-7");
  CHECK(fri_to_sun.days_of_week[0]);
  CHECK(fri_to_sun.days_of_week[5]);
  CHECK(fri_to_sun.days_of_week[6]);
}

TEST_CASE("cron: macros", "[cron]") {
  auto same = [](const CronExpr& a, const CronExpr& b) {
    return a.minutes == b.minutes && a.hours == b.hours && a.days_of_month == b.days_of_month &&
           a.months == b.months && a.days_of_week == b.days_of_week;
  };
  CHECK(same(parse_ok("@yearly"), parse_ok("0 0 1 1 *")));
  CHECK(same(parse_ok("@annually"), parse_ok("0 0 1 1 *")));
  CHECK(same(parse_ok("@monthly"), parse_ok("0 0 1 * *")));
  CHECK(same(parse_ok("@weekly"), parse_ok("0 0 * * 0")));
  CHECK(same(parse_ok("@daily"), parse_ok("0 0 * * *")));
  CHECK(same(parse_ok("@midnight"), parse_ok("0 0 * * *")));
  CHECK(same(parse_ok("@HOURLY"), parse_ok("0 * * * *")));
  CHECK_FALSE(same(parse_ok("@hourly"), parse_ok("@daily")));
}

TEST_CASE("cron: errors name the field and the problem", "[cron]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(parse_error("60 * * * *"), Contains("minute field") && Contains("out of range 0-59"));
  CHECK_THAT(parse_error("* 24 * * *"), Contains("hour field") && Contains("0-23"));
  CHECK_THAT(parse_error("* * 0 * *"), Contains("day-of-month field") && Contains("1-31"));
  CHECK_THAT(parse_error("* * * 13 *"), Contains("month field") && Contains("1-12"));
  CHECK_THAT(parse_error("* * * * 8"), Contains("day-of-week field") && Contains("0-7"));
  CHECK_THAT(parse_error("* * * FOO *"), Contains("month field") && Contains("'FOO' is not a number or a name (JAN-DEC)"));
  CHECK_THAT(parse_error("* * * * MONDAY"), Contains("day-of-week field") && Contains("SUN-SAT"));
  CHECK_THAT(parse_error("*/0 * * * *"), Contains("minute field") && Contains("step must be at least 1"));
  CHECK_THAT(parse_error("*/x * * * *"), Contains("step 'x' is not a positive number"));
  CHECK_THAT(parse_error("* 5-1 * * *"), Contains("hour field") && Contains("backwards"));
  CHECK_THAT(parse_error("* * * * FRI-MON"), Contains("backwards"));
  CHECK_THAT(parse_error("1,,2 * * * *"), Contains("empty list element"));
  CHECK_THAT(parse_error("* 1- * * *"), Contains("hour field") && Contains("empty value"));
  CHECK_THAT(parse_error("* * *"), Contains("expected 5 fields") && Contains("got 3"));
  CHECK_THAT(parse_error("* * * * * *"), Contains("got 6"));
  CHECK_THAT(parse_error(""), Contains("got 0"));
  CHECK_THAT(parse_error("@often"), Contains("unknown macro '@often'"));
  CHECK_THAT(parse_error("0 0 30 2 *"), Contains("day-of-month") && Contains("never fire"));
  CHECK_THAT(parse_error("0 0 31 4,6,9,11 *"), Contains("never fire"));
  // Possible once every four years is fine; so is "31st" when any chosen month has one.
  parse_ok("0 0 29 2 *");
  parse_ok("0 0 31 4,5 *");
  // With a restricted weekday the OR rule makes "30 Feb or Monday" valid.
  parse_ok("0 0 30 2 MON");
}

TEST_CASE("CronSchedule::parse throws a Config error", "[cron]") {
  try {
    CronSchedule::parse("61 * * * *");
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Config);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("minute field"));
  }
}

TEST_CASE("parse_duration", "[duration]") {
  using std::chrono::seconds;
  CHECK(parse_duration("30s") == seconds{30});
  CHECK(parse_duration("15m") == seconds{900});
  CHECK(parse_duration("6h") == seconds{21600});
  CHECK(parse_duration("1d") == seconds{86400});
  CHECK(parse_duration("1h30m") == seconds{5400});
  for (const char* bad : {"", "15", "m", "-5m", "5 m", "5M", "0s", "1.5h", "5mm", "1w"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}
