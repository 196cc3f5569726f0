// /healthz's verdict on the scheduler loop: healthy while it ticks, failing once it is stuck.
#include <catch2/catch.hpp>

#include "daemon/loop_health.h"

using ccetl::LoopHealth;
using namespace std::chrono_literals;

TEST_CASE("loop health: ok while ticking, stuck after the bound, ok again on the next tick", "[daemon]") {
  LoopHealth health(30s);
  auto t0 = LoopHealth::Clock::now();
  CHECK(health.report(t0).first);  // before the first tick: starting
  CHECK(health.report(t0).second == "ok: starting");
  health.tick(t0);
  auto ok = health.report(t0 + 2s);
  CHECK(ok.first);
  CHECK(ok.second == "ok: the scheduler loop last ticked 2 s ago");
  CHECK(health.report(t0 + 30s).first);
  auto stuck = health.report(t0 + 31s);
  CHECK_FALSE(stuck.first);
  CHECK(stuck.second == "stuck: the scheduler loop last ticked 31 s ago");
  health.tick(t0 + 32s);
  CHECK(health.report(t0 + 32s).first);
}
