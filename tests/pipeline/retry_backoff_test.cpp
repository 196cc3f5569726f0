// Backoff is applied between retries: the attempts' arrival times at the simulator (its request
// log) are spread out as the backoff says, for 5xx answers, connection resets and truncated
// bodies alike. Order and sums only, with bounds that a loaded machine cannot reach by accident.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

// Milliseconds of the day of a request-log timestamp ("2026-12-01T21:33:27.123Z").
int64_t ms_of_day(std::string_view ts) {
  auto num = [&](size_t pos, size_t len) { return std::stoll(std::string(ts.substr(pos, len))); };
  return ((num(11, 2) * 60 + num(14, 2)) * 60 + num(17, 2)) * 1000 + num(20, 3);
}

struct Attempt {
  int64_t at_ms;
  std::string fault;
};

std::vector<Attempt> attempts_at(SyncHarness& h, const std::string& path_part) {
  simdjson::dom::parser parser;
  std::string body = h.admin().get("/_sim/requests").body;
  simdjson::dom::element log = parser.parse(body);
  std::vector<Attempt> out;
  for (simdjson::dom::element r : log.get_array()) {
    std::string_view path = r["path"].get_string().value();
    if (path.find(path_part) == std::string_view::npos) continue;
    std::string_view fault;
    if (r["fault"].get(fault) != simdjson::SUCCESS) fault = "";
    out.push_back({ms_of_day(r["timestamp"].get_string().value()), std::string(fault)});
  }
  return out;
}

}  // namespace

TEST_CASE("backoff separates the retries of 5xx answers, resets and truncated bodies", "[retry][backoff]") {
  SyncHarness h;
  const char* kind = GENERATE("error", "reset", "truncate");
  const std::string report = std::string("Backoff_") + kind;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/)" + report +
                R"(", "fields": [{"name": "ID", "dataType": "string"}], "rows": [["A"]]})");
  constexpr int kFaults = 7;
  h.put_faults(R"({"rules": [{"kind": ")" + std::string(kind) + R"(", "path": ")" + report +
               R"(", "times": )" + std::to_string(kFaults) + "}]}");

  ClientOptions options;
  options.base_url = h.sim().base_url() + "/api/v1";
  options.allow_insecure_http = true;
  options.rate_limit = 0;
  options.max_attempts = kFaults + 1;
  options.backoff_base = std::chrono::milliseconds(100);
  auto client = make_client(options);
  Response r = client->get("/projects/WidgetPro/feedbackDataPackages/" + report, kKey);
  CHECK(r.status == 200);
  CHECK(r.attempts == kFaults + 1);

  auto attempts = attempts_at(h, report);
  INFO(kind);
  REQUIRE(attempts.size() == kFaults + 1);
  // Each installed fault fired, once per attempt but the last.
  for (int i = 0; i < kFaults; ++i) CHECK(attempts[i].fault == kind);
  CHECK(attempts[kFaults].fault.empty());
  // Full-jitter backoff draws retry n's wait uniformly from [0, 100 ms * 2^(n-1)]: 7 waits of up
  // to 0.1, 0.2, ... 6.4 s, 6.35 s expected in all. Their sum stays under 0.5 s with a
  // probability below 1e-5; back-to-back retries over loopback take a few ms each.
  int64_t spread = attempts.back().at_ms - attempts.front().at_ms;
  if (spread < 0) spread += 24 * 3600 * 1000;  // across midnight
  CHECK(spread >= 500);
  for (size_t i = 1; i < attempts.size(); ++i) {
    int64_t gap = attempts[i].at_ms - attempts[i - 1].at_ms;
    CHECK((gap >= 0 || gap < -12 * 3600 * 1000));  // in order (or across midnight)
  }
}
