#include <catch2/catch.hpp>

#include "core/error.h"
#include "schedule/cron.h"
#include "schedule/schedule.h"
#include "schedule_test_util.h"

using namespace ccetl;
using ccetl::test::iso;
using ccetl::test::utc;

namespace {

std::string next(const std::string& expr, SysSeconds after, const std::string& zone = "UTC") {
  return iso(CronSchedule::parse(expr).next_fire(after, *TimeZone::locate(zone)));
}

}  // namespace

TEST_CASE("next_fire in UTC", "[cron][next]") {
  const auto t = utc(2024, 5, 15, 10, 7, 30);  // a Wednesday
  CHECK(next("* * * * *", t) == "2024-05-15T10:08:00Z");
  CHECK(next("*/15 * * * *", t) == "2024-05-15T10:15:00Z");
  CHECK(next("*/15 * * * *", utc(2024, 5, 15, 10, 15)) == "2024-05-15T10:30:00Z");  // strictly after
  CHECK(next("*/15 * * * *", utc(2024, 5, 15, 10, 14, 59)) == "2024-05-15T10:15:00Z");
  CHECK(next("0 * * * *", t) == "2024-05-15T11:00:00Z");
  CHECK(next("@hourly", utc(2024, 5, 15, 23, 0)) == "2024-05-16T00:00:00Z");
  CHECK(next("30 2 * * *", t) == "2024-05-16T02:30:00Z");
  CHECK(next("0 9 * * MON-FRI", utc(2024, 5, 17, 9, 0)) == "2024-05-20T09:00:00Z");  // Fri -> Mon
  CHECK(next("0 0 * * 0", t) == "2024-05-19T00:00:00Z");
  CHECK(next("0 0 * * 7", t) == "2024-05-19T00:00:00Z");
  CHECK(next("@weekly", t) == "2024-05-19T00:00:00Z");
  CHECK(next("@monthly", t) == "2024-06-01T00:00:00Z");
  CHECK(next("@yearly", t) == "2025-01-01T00:00:00Z");
  CHECK(next("0 0 1 1 *", utc(2024, 12, 31, 23, 59, 59)) == "2025-01-01T00:00:00Z");
  CHECK(next("59 23 31 12 *", utc(2024, 1, 1)) == "2024-12-31T23:59:00Z");
  CHECK(next("1-10/2 3 * * *", utc(2024, 5, 15, 3, 3)) == "2024-05-15T03:05:00Z");
  CHECK(next("0 12 * FEB *", t) == "2025-02-01T12:00:00Z");
}

TEST_CASE("next_fire: month lengths and leap years", "[cron][next]") {
  CHECK(next("0 0 31 * *", utc(2024, 4, 1)) == "2024-05-31T00:00:00Z");
  CHECK(next("0 0 30 * *", utc(2024, 2, 1)) == "2024-03-30T00:00:00Z");
  CHECK(next("0 0 29 2 *", utc(2023, 3, 1)) == "2024-02-29T00:00:00Z");
  CHECK(next("0 0 29 2 *", utc(2024, 2, 29)) == "2028-02-29T00:00:00Z");
  // 2100 is not a leap year: eight years between 29 Februaries.
  CHECK(next("0 0 29 2 *", utc(2096, 3, 1)) == "2104-02-29T00:00:00Z");
  CHECK(next("0 0 28-31 2 *", utc(2023, 2, 28, 1)) == "2024-02-28T00:00:00Z");
}

TEST_CASE("next_fire: day-of-month OR day-of-week when both are restricted", "[cron][next]") {
  // 2024-07-01 is a Monday.
  CHECK(next("0 0 1 * MON", utc(2024, 7, 1)) == "2024-07-08T00:00:00Z");      // Monday wins
  CHECK(next("0 0 1 * MON", utc(2024, 7, 29)) == "2024-08-01T00:00:00Z");     // the 1st wins
  CHECK(next("0 0 13 * FRI", utc(2024, 9, 7)) == "2024-09-13T00:00:00Z");
  CHECK(next("0 0 15 * FRI", utc(2024, 9, 7)) == "2024-09-13T00:00:00Z");     // a Friday before the 15th
  // A field starting with '*' counts as unrestricted: both must match (AND).
  CHECK(next("0 0 */2 * MON", utc(2024, 7, 1)) == "2024-07-15T00:00:00Z");    // odd day and Monday
  CHECK(next("0 0 * * MON", utc(2024, 7, 2)) == "2024-07-08T00:00:00Z");
  CHECK(next("0 0 1 * *", utc(2024, 7, 2)) == "2024-08-01T00:00:00Z");
  CHECK(next("0 0 30 2 MON", utc(2024, 2, 27)) == "2025-02-03T00:00:00Z");  // Feb only
}

TEST_CASE("next_fire: America/New_York DST", "[cron][dst]") {
  const std::string ny = "America/New_York";
  // Spring forward 2024-03-10: 02:00 EST becomes 03:00 EDT at 07:00Z.
  CHECK(next("30 2 * * *", utc(2024, 3, 10, 5), ny) == "2024-03-10T07:00:00Z");   // gap: once, at 03:00
  CHECK(next("30 2 * * *", utc(2024, 3, 10, 7), ny) == "2024-03-11T06:30:00Z");
  CHECK(next("30 1 * * *", utc(2024, 3, 10, 5), ny) == "2024-03-10T06:30:00Z");
  CHECK(next("0 3 * * *", utc(2024, 3, 10, 5), ny) == "2024-03-10T07:00:00Z");
  CHECK(next("*/15 * * * *", utc(2024, 3, 10, 6, 50), ny) == "2024-03-10T07:00:00Z");
  CHECK(next("*/15 * * * *", utc(2024, 3, 10, 7), ny) == "2024-03-10T07:15:00Z");  // gap fires once
  // Fall back 2024-11-03: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:xx happens twice.
  CHECK(next("30 1 * * *", utc(2024, 11, 3, 4), ny) == "2024-11-03T05:30:00Z");   // first occurrence
  CHECK(next("30 1 * * *", utc(2024, 11, 3, 5, 30), ny) == "2024-11-04T06:30:00Z");  // not again
  CHECK(next("30 1 * * *", utc(2024, 11, 3, 6, 10), ny) == "2024-11-04T06:30:00Z");  // from 2nd pass
  CHECK(next("*/15 * * * *", utc(2024, 11, 3, 5, 45), ny) == "2024-11-03T07:00:00Z");
  CHECK(next("0 * * * *", utc(2024, 11, 3, 5), ny) == "2024-11-03T07:00:00Z");
  CHECK(next("0 2 * * *", utc(2024, 11, 3, 4), ny) == "2024-11-03T07:00:00Z");
  CHECK(next("0 9 * * *", utc(2024, 7, 1, 12), ny) == "2024-07-01T13:00:00Z");
  CHECK(next("0 9 * * *", utc(2024, 1, 1, 12), ny) == "2024-01-01T14:00:00Z");
}

TEST_CASE("next_fire: Europe/Berlin DST", "[cron][dst]") {
  const std::string berlin = "Europe/Berlin";
  // Spring forward 2024-03-31 at 01:00Z (02:00 CET -> 03:00 CEST).
  CHECK(next("30 2 * * *", utc(2024, 3, 30, 23), berlin) == "2024-03-31T01:00:00Z");
  CHECK(next("30 2 * * *", utc(2024, 3, 31, 1), berlin) == "2024-04-01T00:30:00Z");
  // Fall back 2024-10-27 at 01:00Z (03:00 CEST -> 02:00 CET).
  CHECK(next("30 2 * * *", utc(2024, 10, 26, 22), berlin) == "2024-10-27T00:30:00Z");
  CHECK(next("30 2 * * *", utc(2024, 10, 27, 0, 30), berlin) == "2024-10-28T01:30:00Z");
  CHECK(next("0 0 * * *", utc(2024, 6, 1, 12), berlin) == "2024-06-01T22:00:00Z");
}

TEST_CASE("next_fire: Australia/Lord_Howe 30-minute DST shift", "[cron][dst]") {
  const std::string lh = "Australia/Lord_Howe";
  // 2024-10-06 02:00 +10:30 -> 02:30 +11 at 2024-10-05T15:30Z.
  CHECK(next("15 2 * * *", utc(2024, 10, 5, 12), lh) == "2024-10-05T15:30:00Z");
  CHECK(next("45 2 * * *", utc(2024, 10, 5, 12), lh) == "2024-10-05T15:45:00Z");
  // 2024-04-07 02:00 +11 -> 01:30 +10:30 at 2024-04-06T15:00Z; 01:30-01:59 happen twice.
  CHECK(next("45 1 * * *", utc(2024, 4, 6, 13), lh) == "2024-04-06T14:45:00Z");
  CHECK(next("45 1 * * *", utc(2024, 4, 6, 14, 45), lh) == "2024-04-07T15:15:00Z");
}

TEST_CASE("Schedule: cron in a zone and intervals", "[schedule]") {
  auto cron = Schedule::cron("0 9 * * *", "Europe/Berlin");
  CHECK(cron.is_cron());
  CHECK(iso(cron.next_after(utc(2024, 1, 10, 12))) == "2024-01-11T08:00:00Z");
  CHECK(iso(cron.next_after(std::chrono::sys_time<std::chrono::milliseconds>(utc(2024, 1, 10, 8)) +
                            std::chrono::milliseconds{1})) == "2024-01-11T08:00:00Z");
  CHECK(cron.describe() == "cron '0 9 * * *' in Europe/Berlin");

  const auto anchor = utc(2024, 1, 1, 0, 0, 7);
  auto every = Schedule::every(std::chrono::minutes{15}, anchor);
  CHECK_FALSE(every.is_cron());
  CHECK(iso(every.next_after(utc(2023, 12, 31))) == "2024-01-01T00:00:07Z");
  CHECK(iso(every.next_after(anchor)) == "2024-01-01T00:15:07Z");
  CHECK(iso(every.next_after(utc(2024, 1, 1, 1, 0, 7))) == "2024-01-01T01:15:07Z");
  CHECK(iso(every.next_after(utc(2024, 1, 1, 1, 0, 6))) == "2024-01-01T01:00:07Z");
  CHECK(every.describe() == "every 900s");
  CHECK_THROWS_AS(Schedule::every(std::chrono::seconds{0}), ccetl::Error);
  CHECK_THROWS_AS(Schedule::cron("0 9 * * *", "Mars/Olympus"), ccetl::Error);
}
