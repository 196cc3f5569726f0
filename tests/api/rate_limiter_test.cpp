#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

#include "api/rate_limiter.h"

using namespace ccetl::api;
using namespace std::chrono;
using Clock = RateLimiter::Clock;

TEST_CASE("reserve spaces slots evenly per endpoint", "[api][rate]") {
  RateLimiter limiter(10);
  auto interval = limiter.interval();
  CHECK(interval >= 100ms);
  CHECK(interval <= 105ms);
  auto t0 = Clock::now();
  auto a = limiter.reserve("/a", t0);
  auto b = limiter.reserve("/a", t0);
  auto c = limiter.reserve("/a", t0);
  auto other = limiter.reserve("/b", t0);
  CHECK(a == t0);
  CHECK(b - a == interval);
  CHECK(c - b == interval);
  CHECK(other == t0);  // endpoints have separate budgets
  // After idling, no burst: one slot now, then spacing again.
  auto later = t0 + 10s;
  CHECK(limiter.reserve("/a", later) == later);
  CHECK(limiter.reserve("/a", later) == later + interval);
}

TEST_CASE("any window of one second holds at most `rate` slots", "[api][rate]") {
  RateLimiter limiter(10);
  auto t0 = Clock::now();
  std::vector<Clock::time_point> slots;
  for (int i = 0; i < 50; ++i) slots.push_back(limiter.reserve("/x", t0));
  for (size_t i = 0; i + 10 < slots.size(); ++i) CHECK(slots[i + 10] - slots[i] > 1s);
}

TEST_CASE("holds delay the next slot", "[api][rate]") {
  RateLimiter limiter(10);
  auto t0 = Clock::now();
  limiter.hold_until("/x", t0 + 2s);
  CHECK(limiter.reserve("/x", t0) == t0 + 2s);
  limiter.hold_until("/x", t0 + 1s);  // an earlier hold does not shorten the current one
  CHECK(limiter.reserve("/x", t0) == t0 + 2s + limiter.interval());
}

TEST_CASE("acquire paces threads sharing an endpoint", "[api][rate]") {
  RateLimiter limiter(200);  // 5.15 ms spacing keeps the test short
  std::mutex m;
  std::vector<Clock::time_point> times;
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        limiter.acquire("/x");
        std::lock_guard lock(m);
        times.push_back(Clock::now());
      }
    });
  for (auto& t : threads) t.join();
  std::sort(times.begin(), times.end());
  auto total = times.back() - start;
  // 40 slots, 39 intervals of ~5.15 ms: at least 39 × interval, and not hugely more.
  CHECK(total >= 39 * limiter.interval() - 1ms);
  CHECK(total < 2s);
  // The i-th acquisition (in time order) is never before the i-th slot: no bursts.
  for (size_t i = 0; i < times.size(); ++i)
    CHECK(times[i] - start >= static_cast<int>(i) * limiter.interval());
}

TEST_CASE("acquire honours a hold set while waiting", "[api][rate]") {
  RateLimiter limiter(1000);
  limiter.hold_until("/x", Clock::now() + 150ms);
  auto t0 = Clock::now();
  limiter.acquire("/x");
  CHECK(Clock::now() - t0 >= 140ms);
  CHECK(Clock::now() - t0 < 1s);
}
