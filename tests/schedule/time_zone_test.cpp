#include <catch2/catch.hpp>

#include "core/error.h"
#include "schedule/time_zone.h"
#include "schedule_test_util.h"

using namespace ccetl;
using ccetl::test::utc;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("TimeZone: offsets from the stored table and, after it, from the footer's rule", "[tz]") {
  auto ny = TimeZone::locate("America/New_York");
  CHECK(ny->offset_at(utc(2024, 7, 1)) == hours{-4});
  CHECK(ny->offset_at(utc(2024, 1, 1)) == hours{-5});
  CHECK(ny->offset_at(utc(2024, 3, 10, 6, 59, 59)) == hours{-5});
  CHECK(ny->offset_at(utc(2024, 3, 10, 7)) == hours{-4});
  // 2100 is beyond any stored transition: the footer rule decides.
  CHECK(ny->offset_at(utc(2100, 3, 13, 12)) == hours{-5});
  CHECK(ny->offset_at(utc(2100, 3, 14, 12)) == hours{-4});
  CHECK(ny->offset_at(utc(2100, 11, 6, 12)) == hours{-4});
  CHECK(ny->offset_at(utc(2100, 11, 7, 12)) == hours{-5});
  CHECK(TimeZone::locate("Europe/Berlin")->offset_at(utc(2200, 7, 1)) == hours{2});
  CHECK(TimeZone::locate("Europe/Berlin")->offset_at(utc(2200, 1, 1)) == hours{1});
  auto lh = TimeZone::locate("Australia/Lord_Howe");
  CHECK(lh->offset_at(utc(2024, 4, 7, 12)) == hours{10} + minutes{30});
  CHECK(lh->offset_at(utc(2024, 10, 6, 12)) == hours{11});
  CHECK(lh->offset_at(utc(2150, 1, 1)) == hours{11});   // southern summer via the footer
  CHECK(lh->offset_at(utc(2150, 7, 1)) == hours{10} + minutes{30});
  CHECK(TimeZone::locate("Asia/Kolkata")->offset_at(utc(2024, 1, 1)) == hours{5} + minutes{30});
  CHECK(TimeZone::utc()->offset_at(utc(2024, 1, 1)) == seconds{0});
  CHECK(TimeZone::locate("UTC") == TimeZone::utc());
  CHECK(TimeZone::locate("Europe/Berlin") == TimeZone::locate("Europe/Berlin"));  // cached
}

TEST_CASE("TimeZone::resolve classifies local times", "[tz]") {
  using Kind = TimeZone::LocalInfo::Kind;
  auto ny = TimeZone::locate("America/New_York");
  auto local = [](SysSeconds s) { return LocalSeconds{s.time_since_epoch()}; };
  auto gap = ny->resolve(local(utc(2024, 3, 10, 2, 30)));
  CHECK(gap.kind == Kind::Nonexistent);
  CHECK(gap.first == utc(2024, 3, 10, 7));
  auto twice = ny->resolve(local(utc(2024, 11, 3, 1, 30)));
  CHECK(twice.kind == Kind::Ambiguous);
  CHECK(twice.first == utc(2024, 11, 3, 5, 30));
  CHECK(twice.second == utc(2024, 11, 3, 6, 30));
  auto plain = ny->resolve(local(utc(2024, 6, 1, 12)));
  CHECK(plain.kind == Kind::Unique);
  CHECK(plain.first == utc(2024, 6, 1, 16));
  CHECK(ny->to_local(utc(2024, 6, 1, 16)) == local(utc(2024, 6, 1, 12)));
}

TEST_CASE("TimeZone: unknown and unsafe names are Config errors", "[tz]") {
  // posix/ holds TZif files that date's database does not list: refused like unknown names.
  for (const char* name : {"Mars/Olympus", "../etc/passwd", "/etc/localtime", "", "Europe/Ber lin", "posix/Europe/Berlin"}) {
    INFO(name);
    CHECK_FALSE(TimeZone::exists(name));
    try {
      TimeZone::locate(name);
      FAIL("no exception");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Config);
    }
  }
  CHECK(TimeZone::exists("Europe/Berlin"));
  CHECK(TimeZone::exists("UTC"));
}

TEST_CASE("TimeZone::resolve after the stored table: gaps and overlaps of the footer's rule", "[tz]") {
  using Kind = TimeZone::LocalInfo::Kind;
  auto local = [](SysSeconds s) { return LocalSeconds{s.time_since_epoch()}; };
  auto ny = TimeZone::locate("America/New_York");
  // 2100: second Sunday of March is the 14th, first Sunday of November the 7th.
  auto gap = ny->resolve(local(utc(2100, 3, 14, 2, 30)));
  CHECK(gap.kind == Kind::Nonexistent);
  CHECK(gap.first == utc(2100, 3, 14, 7));
  auto twice = ny->resolve(local(utc(2100, 11, 7, 1, 30)));
  CHECK(twice.kind == Kind::Ambiguous);
  CHECK(twice.first == utc(2100, 11, 7, 5, 30));
  CHECK(twice.second == utc(2100, 11, 7, 6, 30));
  auto summer = ny->resolve(local(utc(2100, 7, 4, 12)));
  CHECK(summer.kind == Kind::Unique);
  CHECK(summer.first == utc(2100, 7, 4, 16));
  CHECK(ny->to_local(utc(2100, 7, 4, 16)) == local(utc(2100, 7, 4, 12)));
  // A leap day long after the table, in winter; Lord Howe's half-hour shift (first Sunday of
  // April, 2:00 local daylight time) in 2150.
  CHECK(ny->resolve(local(utc(2104, 2, 29, 12))).first == utc(2104, 2, 29, 17));
  auto lh = TimeZone::locate("Australia/Lord_Howe");
  CHECK(lh->resolve(local(utc(2150, 4, 5, 1, 45))).kind == Kind::Ambiguous);
  CHECK(lh->resolve(local(utc(2150, 4, 12, 1, 45))).kind == Kind::Unique);
  // Zones without daylight saving stay fixed; no footer rule is invented for them.
  CHECK(TimeZone::locate("Asia/Kolkata")->offset_at(utc(2300, 7, 1)) == hours{5} + minutes{30});
}
