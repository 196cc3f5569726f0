// Error statuses and bodies, check order, and the rate limit with its headers.
#include <catch2/catch.hpp>

#include <cctype>
#include <thread>

#include "sim_test_util.h"

using namespace ccetl::test;

namespace {
// "2026-11-29T00:50:27.783Z": ISO 8601 UTC with milliseconds.
bool is_iso8601_ms(const std::string& s) {
  const std::string pattern = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != pattern.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (pattern[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != pattern[i]) return false;
  }
  return true;
}
const std::string kPackage = "/api/v1/projects/WidgetPro/feedbackDataPackages/FeedbackScores";
}

TEST_CASE("each error status has the reference's body", "[sim][errors]") {
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/basic"}));
  HttpTestClient http(sim.host(), sim.port());

  auto r = http.get(kPackage + "?page=1");
  CHECK(r.status == 401);
  CHECK(r.header("content-type") == "application/json");
  CHECK(minify(r.body) == R"({"status":401,"description":"An API key is required."})");

  r = http.get(kPackage + "?page=1&apiKey=OTHER");
  CHECK(r.status == 403);
  CHECK(minify(r.body) == R"({"status":403,"description":"The API key is not authorized for this endpoint."})");
  // An endpoint bound to another key in a fixture refuses the default key.
  r = http.get(with_key("/api/v1/projects/Acme/feedbackDataPackages/Secret?page=1"));
  CHECK(r.status == 403);
  r = http.get("/api/v1/projects/Acme/feedbackDataPackages/Secret?page=1&apiKey=SECRET");
  CHECK(r.status == 200);

  r = http.get(with_key("/api/v1/projects/WidgetPro/feedbackDataPackages/Nope?page=1"));
  CHECK(r.status == 404);
  CHECK(minify(r.body) == R"({"status":404,"description":"The requested resource was not found."})");
  r = http.get("/elsewhere");
  CHECK(r.status == 404);

  r = http.request("POST", with_key(kPackage + "?page=1"), "{}", {{"Content-Type", "application/json"}});
  CHECK(r.status == 405);
  CHECK(r.header("allow") == "GET");
  CHECK(minify(r.body) == R"({"status":405,"description":"The POST method is not allowed on this endpoint."})");
  r = http.get(with_key("/api/v1/userImports/Mobile"));
  CHECK(r.status == 405);

  r = http.request("POST", with_key("/api/v1/userImports/Mobile"), R"({"email":"a@b.c"})",
                   {{"Content-Type", "text/plain"}});
  CHECK(r.status == 415);
  CHECK(minify(r.body) == R"({"status":415,"description":"The request must be application/json."})");
  r = http.request("POST", with_key("/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/Screenshot"),
                   "{}", {{"Content-Type", "application/json"}});
  CHECK(r.status == 415);

  r = http.get(with_key("/api/v1/userRecordLookups/UserScore"));
  CHECK(r.status == 400);
  CHECK(minify(r.body) ==
        R"({"status":400,"description":"The specified request is invalid.","invalidParameters":[{"name":"Find","description":"A lookup query is required."}]})");
  r = http.get(with_key("/api/v1/userRecordLookups/UserScore?find=nobody"));
  CHECK(r.status == 404);
  for (const char* bad : {"0", "-1", "abc", "1.5", ""}) {
    INFO(bad);
    r = http.get(with_key(kPackage + "?page=" + bad));
    CHECK(r.status == 400);
    CHECK(r.body.find(R"("invalidParameters":[{"name":"Page")") != std::string::npos);
  }
  r = http.get(with_key(kPackage + "?page=3"));  // one page of data: page 2 is the empty end page, 3 is wrong
  CHECK(r.status == 400);
  r = http.post_json(with_key("/api/v1/userImports/Mobile"), R"({"name":"x"})");
  CHECK(r.status == 400);
  CHECK(r.body.find(R"("name":"Email")") != std::string::npos);
  r = http.post_json(with_key("/api/v1/userImports/Mobile"), R"({"email":)");
  CHECK(r.status == 400);
  CHECK(minify(r.body) == R"({"status":400,"description":"The request body is not valid JSON."})");
  r = http.post_json(with_key("/api/v1/userCommentListeners/UserComment"), R"({"a":1})");
  CHECK(r.status == 400);
  CHECK(r.body.find("\"Find\"") != std::string::npos);
}

TEST_CASE("rate limit: 10 per second per endpoint, headers on every answer, 429 beyond", "[sim][rate]") {
  SimProcess sim(sim_args({}, /*rate_limit_off=*/false));
  HttpTestClient http(sim.host(), sim.port());
  int ok = 0, limited = 0, in_window = 0;
  HttpResult last;
  for (int i = 0; i < 12; ++i) {
    auto r = http.get(with_key(kPackage + "?page=1"));
    CHECK(r.header("x-rate-limit-limit") == "1s");
    CHECK(is_iso8601_ms(r.header("x-rate-limit-reset")));
    CHECK(!r.header("x-rate-limit-remaining").empty());
    if (r.status == 200) {
      ++ok;
      ++in_window;
      if (r.header("x-rate-limit-remaining") == "9") in_window = 1;  // a new window opened
      CHECK(r.header("x-rate-limit-remaining") == std::to_string(10 - in_window));
    } else {
      ++limited;
      CHECK(r.status == 429);
      CHECK(minify(r.body).rfind(R"({"status":429,"description":)", 0) == 0);
      CHECK(r.header("x-rate-limit-remaining") == "0");
    }
  }
  // Each request takes well under 100 ms here, so all 12 fall into one or two windows.
  CHECK(ok >= 10);
  CHECK(limited >= 1);
  // Another endpoint has its own budget; errors carry the headers too.
  auto other = http.get(with_key("/api/v1/userDataPackages/NegativeScore?page=1"));
  CHECK(other.status == 200);
  auto err = http.get("/api/v1/userDataPackages/NegativeScore?page=1");
  CHECK(err.status == 401);
  CHECK(err.header("x-rate-limit-limit") == "1s");
  // The window ends; requests pass again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(http.get(with_key(kPackage + "?page=1")).status == 200);

  // The admin API changes the limit at run time.
  CHECK(http.put_json("/_sim/config", R"({"rateLimit":2})").status == 200);
  int passed = 0;
  for (int i = 0; i < 4; ++i) passed += http.get(with_key(kPackage + "?page=1")).status == 200;
  CHECK(passed == 2);
}
