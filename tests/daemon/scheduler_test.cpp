// The scheduler's decisions, driven with explicit times (no clock, no threads).
#include <catch2/catch.hpp>

#include "daemon/scheduler.h"

using namespace ccetl;
using namespace std::chrono;

namespace {

SysSeconds at(int hour, int minute, int second = 0) {
  return sys_days{year{2026} / 11 / 29} + hours{hour} + minutes{minute} + seconds{second};
}

JobSpec job(const std::string& name, const std::string& schedule, std::vector<std::string> after = {}) {
  JobSpec j;
  j.name = name;
  j.schedule = schedule;
  j.after = std::move(after);
  return j;
}

Config config_of(std::vector<JobSpec> jobs, int max_concurrent = 4) {
  Config c;
  c.daemon.max_concurrent_jobs = max_concurrent;
  c.daemon.time_zone = "UTC";
  c.jobs = std::move(jobs);
  return c;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("a job fires at its schedule and a tick that finds it running is skipped") {
  Config c = config_of({job("a", "*/15 * * * *")});
  Scheduler s(c, at(10, 1), {{"a", at(10, 0, 30)}});  // succeeded after the 10:00 fire: no catch-up
  CHECK(s.tick(at(10, 14)).start.empty());
  auto d = s.tick(at(10, 15));
  REQUIRE(d.start == std::vector<std::string>{"a"});
  // Still running at 10:30: skipped, not queued.
  d = s.tick(at(10, 30));
  CHECK(d.start.empty());
  CHECK(d.skipped == std::vector<std::string>{"a"});
  s.finished("a", true);
  CHECK(s.tick(at(10, 31)).start.empty());
  CHECK(s.tick(at(10, 45)).start == std::vector<std::string>{"a"});
}

TEST_CASE("after: runs a job when another finishes successfully, not when it fails") {
  Config c = config_of({job("projects", "0 * * * *"), job("fanout", "", {"projects"})});
  Scheduler s(c, at(9, 59), {{"projects", at(9, 1)}});
  CHECK(s.tick(at(10, 0)).start == std::vector<std::string>{"projects"});
  s.finished("projects", false);
  CHECK(s.tick(at(10, 0, 5)).start.empty());
  CHECK(s.tick(at(11, 0)).start == std::vector<std::string>{"projects"});
  s.finished("projects", true);
  CHECK(s.tick(at(11, 0, 5)).start == std::vector<std::string>{"fanout"});
}

TEST_CASE("at most max_concurrent_jobs run at once; the others wait for a slot") {
  Config c = config_of({job("a", "0 * * * *"), job("b", "0 * * * *"), job("c", "0 * * * *")}, 2);
  Scheduler s(c, at(9, 59), {{"a", at(9, 1)}, {"b", at(9, 1)}, {"c", at(9, 1)}});
  auto d = s.tick(at(10, 0));
  CHECK(d.start.size() == 2);
  CHECK(s.running() == 2);
  CHECK(s.tick(at(10, 0, 1)).start.empty());
  s.finished(d.start[0], true);
  auto next = s.tick(at(10, 0, 2));
  REQUIRE(next.start.size() == 1);
  CHECK_FALSE(contains(d.start, next.start[0]));
}

TEST_CASE("missed runs after downtime: once at start, not once per missed tick") {
  Config c = config_of({job("a", "*/5 * * * *"), job("fresh", "*/5 * * * *"), job("never", "*/5 * * * *")});
  // `a` last succeeded two hours ago (24 ticks missed); `fresh` after the last tick; `never` never.
  Scheduler s(c, at(12, 2), {{"a", at(10, 0, 10)}, {"fresh", at(12, 0, 30)}});
  auto d = s.tick(at(12, 2));
  CHECK(contains(d.start, "a"));
  CHECK(contains(d.start, "never"));
  CHECK_FALSE(contains(d.start, "fresh"));
  s.finished("a", true);
  CHECK_FALSE(contains(s.tick(at(12, 3)).start, "a"));
  CHECK(contains(s.tick(at(12, 5)).start, "a"));
}

TEST_CASE("interval schedules fire every period; jobs without a schedule only on demand") {
  JobSpec every = job("every", "");
  every.interval = seconds(30);
  Config c = config_of({every, job("manual", "")});
  Scheduler s(c, at(8, 0), {{"every", at(8, 0)}});
  CHECK(s.tick(at(8, 0, 29)).start.empty());
  CHECK(s.tick(at(8, 0, 30)).start == std::vector<std::string>{"every"});
  s.finished("every", true);
  CHECK(s.tick(at(8, 1)).start == std::vector<std::string>{"every"});
  REQUIRE(s.next_wakeup());
  CHECK(*s.next_wakeup() == at(8, 1, 30));
}
