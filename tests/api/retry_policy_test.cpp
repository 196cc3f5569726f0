#include <catch2/catch.hpp>

#include "api/retry_policy.h"
#include "api/url.h"

using namespace ccetl::api;
using namespace std::chrono;

TEST_CASE("status classes", "[api][retry]") {
  CHECK(classify_status(200) == StatusClass::Success);
  CHECK(classify_status(201) == StatusClass::Success);
  CHECK(classify_status(429) == StatusClass::Throttled);
  for (int s : {500, 502, 503, 504, 408}) CHECK(classify_status(s) == StatusClass::Retry);
  for (int s : {400, 401, 403, 404, 405, 415, 301, 422}) CHECK(classify_status(s) == StatusClass::Permanent);
}

TEST_CASE("backoff grows exponentially, is capped, and full jitter stays within the cap", "[api][retry]") {
  CHECK(backoff_cap(1, 200ms, 30s) == 200ms);
  CHECK(backoff_cap(2, 200ms, 30s) == 400ms);
  CHECK(backoff_cap(4, 200ms, 30s) == 1600ms);
  CHECK(backoff_cap(20, 200ms, 30s) == 30s);
  CHECK(backoff_cap(1000, 200ms, 30s) == 30s);
  std::mt19937_64 rng(42);
  milliseconds lo = 1h, hi = 0ms;
  for (int i = 0; i < 2000; ++i) {
    auto d = backoff_delay(3, 100ms, 10s, rng);
    REQUIRE(d >= 0ms);
    REQUIRE(d <= 400ms);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo < 40ms);   // jitter spreads over the whole range ...
  CHECK(hi > 360ms);  // ... not just near the cap
}

TEST_CASE("ISO 8601 reset times", "[api][retry]") {
  auto tp = parse_iso8601_utc("2026-11-29T01:02:03.456Z");
  REQUIRE(tp);
  auto expected = sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s + 456ms;
  CHECK(*tp == expected);
  CHECK(*parse_iso8601_utc("2026-11-29T01:02:03Z") == sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s);
  CHECK(*parse_iso8601_utc("2026-11-29T01:02:03") == sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s);
  CHECK(*parse_iso8601_utc("2026-11-29T03:02:03+02:00") == sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s);
  CHECK(*parse_iso8601_utc("2026-11-28T23:02:03.5-0200") ==
        sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s + 500ms);
  CHECK(*parse_iso8601_utc("2026-11-29T01:02:03.1234567Z") ==
        sys_days(year{2026} / 11 / 29) + 1h + 2min + 3s + 123456700ns);
  for (auto bad : {"", "tomorrow", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29 01:02",
                   "2026-11-29T01:02:03Q", "2026-11-29T25:00:00Z", "2026-11-29T01:02:03.Z"})
    CHECK_FALSE(parse_iso8601_utc(bad));
}

TEST_CASE("header counts", "[api][retry]") {
  CHECK(parse_count("0") == 0);
  CHECK(parse_count(" 7 ") == 7);
  CHECK_FALSE(parse_count(""));
  CHECK_FALSE(parse_count("-1"));
  CHECK_FALSE(parse_count("3s"));
}

TEST_CASE("URLs: parsing, origin and apiKey", "[api][url]") {
  auto u = parse_url("https://Company.CenterCode.com/api/v1");
  REQUIRE(u);
  CHECK(u->host == "company.centercode.com");
  CHECK(u->port == "443");
  CHECK(u->target == "/api/v1");
  CHECK(u->origin() == "https://company.centercode.com");
  auto same = parse_url("https://company.centercode.com:443/api/v1/x/status/1?y=2");
  REQUIRE(same);
  CHECK(same->same_origin(*u));
  CHECK(same->target == "/api/v1/x/status/1?y=2");
  CHECK_FALSE(parse_url("http://company.centercode.com/api/v1")->same_origin(*u));
  CHECK_FALSE(parse_url("https://evil.example/api/v1")->same_origin(*u));
  CHECK_FALSE(parse_url("https://company.centercode.com:8443/")->same_origin(*u));
  CHECK(parse_url("http://127.0.0.1:8080")->host_header() == "127.0.0.1:8080");
  CHECK_FALSE(parse_url("ftp://x/"));
  CHECK_FALSE(parse_url("https://user@host/"));
  CHECK_FALSE(parse_url("https://host:99999/"));
  CHECK_FALSE(parse_url("/relative"));
  CHECK(with_api_key("/a/b", "k y") == "/a/b?apiKey=k%20y");
  CHECK(with_api_key("/a/b?page=2", "abc") == "/a/b?page=2&apiKey=abc");
  CHECK(path_of("/a/b?page=2") == "/a/b");
}
