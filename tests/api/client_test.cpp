// The client over real loopback sockets against the scriptable TestServer.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "api/api_error.h"
#include "api/client.h"
#include "api/test_server.h"
#include "core/error.h"

using namespace ccetl;
using namespace ccetl::testing;
using namespace std::chrono;
using Kind = Reply::Kind;

namespace {

const std::string kKey = "s3cr3t-KEY+/=";                 // needs encoding
const std::string kKeyEncoded = "s3cr3t-KEY%2B%2F%3D";

ClientOptions fast_options(const TestServer& server) {
  ClientOptions o;
  o.base_url = server.base_url();
  o.allow_insecure_http = true;
  o.rate_limit = 1000;
  o.connect_timeout = 2s;
  o.request_timeout = 3s;
  o.backoff_base = 5ms;
  o.backoff_max = 50ms;
  o.max_attempts = 6;
  return o;
}

Reply reply(int status, std::string body = "{}", std::string content_type = "application/json") {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Reply misbehave(Kind kind) {
  Reply r = reply(200, std::string(4000, 'x'));
  r.kind = kind;
  return r;
}

void check_no_key(const std::string& text) {
  INFO(text);
  CHECK(text.find(kKey) == std::string::npos);
  CHECK(text.find(kKeyEncoded) == std::string::npos);
}

std::string iso_utc(system_clock::time_point tp) {
  auto secs = floor<seconds>(tp);
  auto ms = duration_cast<milliseconds>(tp - secs).count();
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss hms{secs - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  std::string s(buf);
  s.insert(s.size() - 1, "." + std::to_string(1000 + ms).substr(1));
  return s;
}

}  // namespace

TEST_CASE("200 JSON: key appended, body padded for in-place parsing, media type", "[api][client]") {
  TestServer server;
  Reply r = reply(200, R"({"page":1,"data":[]})", "Application/JSON; charset=utf-8");
  server.script({r});
  auto client = make_client(fast_options(server));
  auto res = client->get("/projects/WidgetPro/feedbackDataPackages/Scores?page=2", kKey);
  CHECK(res.status == 200);
  CHECK(res.body == R"({"page":1,"data":[]})");
  CHECK(res.body.capacity() >= res.body.size() + 64);
  CHECK(res.content_type == "application/json");
  CHECK(res.attempts == 1);
  auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/api/v1/projects/WidgetPro/feedbackDataPackages/Scores?page=2&apiKey=" + kKeyEncoded);
}

TEST_CASE("chunked and HTML bodies are returned with padding", "[api][client]") {
  TestServer server;
  Reply chunked = reply(200, std::string(10'000, 'a'), "text/csv");
  chunked.chunked = true;
  server.script({chunked, reply(200, "<html>login</html>", "text/html")});
  auto client = make_client(fast_options(server));
  auto a = client->get("/userDataPackages/X?page=1", kKey);
  CHECK(a.body.size() == 10'000);
  CHECK(a.body.capacity() >= a.body.size() + 64);
  CHECK(a.content_type == "text/csv");
  auto b = client->get("/userDataPackages/X?page=2", kKey);
  CHECK(b.content_type == "text/html");
  CHECK(b.body == "<html>login</html>");
  CHECK(b.body.capacity() >= b.body.size() + 64);
}

TEST_CASE("non-retried 4xx: permanent, with description and invalid parameters, key masked", "[api][client]") {
  for (int status : {400, 401, 403, 404, 405, 415}) {
    DYNAMIC_SECTION("status " << status) {
      TestServer server;
      // The server echoes the key back, raw and encoded, in the description.
      server.script({reply(status, R"({"status":)" + std::to_string(status) +
                                       R"(,"description":"Key )" + kKey + " / " + kKeyEncoded +
                                       R"( is not valid.","invalidParameters":[{"name":"Find","description":"A lookup query is required."}]})")});
      auto client = make_client(fast_options(server));
      try {
        client->get("/projects/X/feedbackDataPackages/Y?page=2", kKey);
        FAIL("no exception");
      } catch (const ApiError& e) {
        std::string what = e.what();
        CHECK(e.kind() == ErrorKind::Permanent);
        CHECK(e.status() == status);
        CHECK(what.find("GET " + server.base_url() + "/projects/X/feedbackDataPackages/Y?page=2&apiKey=*** → " +
                        std::to_string(status)) == 0);
        CHECK(what.find("is not valid.") != std::string::npos);
        CHECK(what.find("Find: A lookup query is required.") != std::string::npos);
        REQUIRE(e.invalid_parameters().size() == 1);
        CHECK(e.invalid_parameters()[0].name == "Find");
        CHECK(e.description().find("is not valid.") != std::string::npos);
        check_no_key(what);
        check_no_key(e.description());
      }
      CHECK(server.requests().size() == 1);  // not retried
    }
  }
}

TEST_CASE("403 with a non-JSON body and reason phrase", "[api][client]") {
  TestServer server;
  server.script({reply(403, "<html>Forbidden for apiKey=" + kKey + "</html>", "text/html")});
  auto client = make_client(fast_options(server));
  try {
    client->post_json("/userImports/Mobile", kKey, R"({"email":"a@b.c"})");
    FAIL("no exception");
  } catch (const ApiError& e) {
    std::string what = e.what();
    CHECK(what.find("POST ") == 0);
    CHECK(what.find("→ 403 Forbidden: <html>Forbidden for apiKey=***") != std::string::npos);
    check_no_key(what);
  }
}

TEST_CASE("5xx, 429, reset and truncation are retried until success", "[api][client]") {
  TestServer server;
  std::atomic<int> n{0};
  server.set_handler([&](const SeenRequest&) {
    switch (++n) {
      case 1: return reply(500);
      case 2: {
        // Reset 300 ms after the moment of the 429.
        Reply throttled = reply(429, R"({"status":429,"description":"Too many"})");
        throttled.headers = {{"X-Rate-Limit-Remaining", "0"},
                             {"X-Rate-Limit-Reset", iso_utc(system_clock::now() + 300ms)}};
        return throttled;
      }
      case 3: return misbehave(Kind::ResetMidBody);
      case 4: return misbehave(Kind::Truncate);
      case 5: return misbehave(Kind::CloseWithoutAnswer);
      default: return reply(200, R"({"ok":true})");
    }
  });
  auto client = make_client(fast_options(server));
  auto res = client->get("/userDataPackages/X?page=1", kKey);
  CHECK(res.body == R"({"ok":true})");
  CHECK(res.attempts == 6);
  auto seen = server.requests();
  REQUIRE(seen.size() == 6);
  // The attempt after the 429 waited for the window reset.
  CHECK(seen[2].arrived - seen[1].arrived >= 250ms);
  auto stats = client->stats();
  CHECK(stats.requests == 6);
  CHECK(stats.retries == 5);
  CHECK(stats.throttled == 1);
  auto count = [&](int status) {
    for (auto& [s, n] : stats.by_status)
      if (s == status) return n;
    return int64_t{0};
  };
  CHECK(count(500) == 1);
  CHECK(count(429) == 1);
  CHECK(count(200) == 1);
}

TEST_CASE("giving up after max_attempts is a transient error naming the last cause", "[api][client]") {
  TestServer server;
  server.set_handler([](const SeenRequest&) { return reply(503, R"({"description":"maintenance"})"); });
  auto options = fast_options(server);
  options.max_attempts = 3;
  auto client = make_client(options);
  try {
    client->get("/userDataPackages/X?page=1", kKey);
    FAIL("no exception");
  } catch (const ApiError& e) {
    CHECK(e.kind() == ErrorKind::Transient);
    CHECK(e.status() == 503);
    std::string what = e.what();
    CHECK(what.find("3 attempts") != std::string::npos);
    CHECK(what.find("503 Service Unavailable: maintenance") != std::string::npos);
    check_no_key(what);
  }
  CHECK(server.requests().size() == 3);
}

TEST_CASE("a hanging server is cut off by the request timeout", "[api][client]") {
  TestServer server;
  server.script({misbehave(Kind::Hang)});
  auto options = fast_options(server);
  options.request_timeout = 400ms;
  options.max_attempts = 1;
  auto client = make_client(options);
  auto t0 = steady_clock::now();
  try {
    client->get("/userDataPackages/X?page=1", kKey);
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Transient);
    CHECK(std::string(e.what()).find("timeout") != std::string::npos);
    check_no_key(e.what());
  }
  auto elapsed = steady_clock::now() - t0;
  CHECK(elapsed >= 350ms);
  CHECK(elapsed < 1500ms);
}


TEST_CASE("debug log lines name method, masked URL, status and attempt, never the key", "[api][client]") {
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("api-test", sink);
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  {
    TestServer server;
    server.script({reply(500, "error for " + kKey), misbehave(Kind::ResetMidBody), reply(200),
                   reply(404, R"({"description":"no such key )" + kKey + R"("})")});
    auto client = make_client(fast_options(server));
    client->get("/userDataPackages/X?page=1", kKey);
    CHECK_THROWS_AS(client->get("/userDataPackages/Y?page=1", kKey), ApiError);
  }
  spdlog::set_default_logger(previous);
  std::string text = log.str();
  INFO(text);
  CHECK(text.find("GET " ) != std::string::npos);
  CHECK(text.find("/api/v1/userDataPackages/X?page=1&apiKey=*** → 500") != std::string::npos);
  CHECK(text.find("(attempt 3)") != std::string::npos);
  CHECK(text.find("→ 404") != std::string::npos);
  check_no_key(text);
}
