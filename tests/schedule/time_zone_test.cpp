#include <catch2/catch.hpp>

#include "core/error.h"
#include "schedule/time_zone.h"
#include "schedule_test_util.h"

using namespace ccetl;
using ccetl::test::utc;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_CASE("TimeZone: offsets from the table and from the POSIX footer", "[tz]") {
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
  for (const char* name : {"Mars/Olympus", "../etc/passwd", "/etc/localtime", "", "Europe/Ber lin"}) {
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
  CHECK_THROWS_AS(TimeZone::load_file("x", "/etc/hostname"), ccetl::Error);
}

TEST_CASE("PosixTzRule parsing", "[tz]") {
  auto lh = PosixTzRule::parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  REQUIRE(lh);
  CHECK(lh->std_offset == 37800);
  CHECK(lh->dst_offset == 39600);
  CHECK(lh->dst_start.month == 10);
  auto ny = PosixTzRule::parse("EST5EDT,M3.2.0,M11.1.0");
  REQUIRE(ny);
  CHECK(ny->std_offset == -18000);
  CHECK(ny->dst_offset == -14400);
  CHECK(ny->dst_start.time == 7200);
  auto fixed = PosixTzRule::parse("<+03>-3");
  REQUIRE(fixed);
  CHECK_FALSE(fixed->has_dst);
  CHECK(fixed->std_offset == 10800);
  auto julian = PosixTzRule::parse("XXX3YYY,J60/1,300/-1:30");
  REQUIRE(julian);
  CHECK(julian->dst_end.time == -5400);
  for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "<+03"}) {
    INFO(bad);
    CHECK_FALSE(PosixTzRule::parse(bad));
  }
}
