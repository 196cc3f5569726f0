// Client behaviour over several requests: keep-alive, threads, pacing, uploads, absolute URLs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "api/api_error.h"
#include "api/client.h"
#include "api/test_server.h"
#include "core/error.h"

using namespace ccetl;
using namespace ccetl::testing;
using namespace std::chrono;

namespace {
const std::string kKey = "flow-key-123";

ClientOptions options_for(const TestServer& server) {
  ClientOptions o;
  o.base_url = server.base_url();
  o.allow_insecure_http = true;
  o.rate_limit = 1000;
  o.connect_timeout = 2s;
  o.request_timeout = 5s;
  o.backoff_base = 5ms;
  o.backoff_max = 50ms;
  return o;
}

std::string iso_utc(system_clock::time_point tp) {
  auto ms = floor<milliseconds>(tp);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lld.%03lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}
}  // namespace

TEST_CASE("keep-alive: sequential requests share one connection; Connection: close is honoured",
          "[api][flow]") {
  TestServer server;
  auto client = make_client(options_for(server));
  for (int i = 0; i < 5; ++i) client->get("/userDataPackages/X?page=" + std::to_string(i + 1), kKey);
  CHECK(server.connections() == 1);
  Reply closing;
  closing.close = true;
  server.script({closing});
  client->get("/userDataPackages/X?page=6", kKey);
  client->get("/userDataPackages/X?page=7", kKey);
  CHECK(server.connections() == 2);
}

TEST_CASE("a kept-alive connection the server dropped is replaced without a failed attempt", "[api][flow]") {
  TestServer server;
  auto client = make_client(options_for(server));
  Reply drop;
  drop.kind = Reply::Kind::CloseWithoutAnswer;
  client->get("/a", kKey);
  server.script({drop});
  auto res = client->get("/a", kKey);
  CHECK(res.attempts == 1);
  CHECK(server.connections() == 2);
}

TEST_CASE("several threads at once each get their own connection", "[api][flow]") {
  TestServer server;
  server.set_handler([](const SeenRequest& r) {
    Reply reply;
    reply.body = "{\"target\":\"" + r.target.substr(0, r.target.find('&')) + "\"}";
    reply.delay = 30ms;
    return reply;
  });
  auto client = make_client(options_for(server));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string path = "/t" + std::to_string(t) + "?page=" + std::to_string(i);
        auto res = client->get(path, kKey);
        if (res.body == "{\"target\":\"/api/v1" + path + "\"}") ++ok;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(server.requests().size() == 20);
  CHECK(server.connections() >= 2);  // in parallel, not serialised on one connection
  CHECK(server.connections() <= 4);  // and reused, not one per request
  CHECK(client->stats().requests == 20);
}

TEST_CASE("pacing uses the budget against a 10/s-per-window server without any 429", "[api][flow][rate]") {
  // The server counts requests per wall-clock second per endpoint, answers 429 above 10, and
  // takes 300 ms per answer; 4 threads keep 4 requests in flight.
  TestServer server;
  std::mutex m;
  std::map<long long, int> per_window;
  int too_many = 0;
  server.set_handler([&](const SeenRequest&) {
    auto now = system_clock::now();
    auto window = duration_cast<seconds>(now.time_since_epoch()).count();
    auto reset = system_clock::time_point(seconds(window + 1));
    Reply r;
    std::lock_guard lock(m);
    int n = ++per_window[window];
    r.headers = {{"X-Rate-Limit-Limit", "1s"},
                 {"X-Rate-Limit-Remaining", std::to_string(std::max(0, 10 - n))},
                 {"X-Rate-Limit-Reset", iso_utc(reset)}};
    if (n > 10) {
      ++too_many;
      r.status = 429;
      r.body = R"({"status":429,"description":"Too Many Requests"})";
      return r;
    }
    r.delay = 300ms;
    return r;
  });
  auto options = options_for(server);
  options.rate_limit = 10;
  auto client = make_client(options);
  constexpr int kPerThread = 8;
  std::vector<std::thread> threads;
  auto t0 = steady_clock::now();
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) client->get("/projects/P/feedbackDataPackages/F?page=1", kKey);
    });
  for (auto& t : threads) t.join();
  double seconds_taken = duration<double>(steady_clock::now() - t0).count();
  auto seen = server.requests();
  REQUIRE(seen.size() >= 32);
  double span = duration<double>(seen.back().arrived - seen.front().arrived).count();
  double rate = (seen.size() - 1) / span;
  INFO("rate " << rate << "/s, total " << seconds_taken << " s");
  CHECK(too_many == 0);
  CHECK(client->stats().throttled == 0);
  CHECK(rate > 8.5);
  CHECK(rate <= 10.2);
  CHECK(seconds_taken < 6);
}

TEST_CASE("post_json and post_file send the right bodies", "[api][flow]") {
  TestServer server;
  server.script({Reply{}, Reply{}});
  auto client = make_client(options_for(server));
  client->post_json("/projects/P/feedback/Mobile", kKey, R"({"title":"t"})");
  std::string content("bin\0ary\r\n--data", 15);
  client->post_file("/projects/P/feedbackTypes/M/feedback/S-1/fileElements/Shot", kKey, "shot \"1\".png", content);
  auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].content_type == "application/json");
  CHECK(seen[0].body == R"({"title":"t"})");
  CHECK(seen[1].content_type.rfind("multipart/form-data; boundary=", 0) == 0);
  std::string boundary = seen[1].content_type.substr(seen[1].content_type.find('=') + 1);
  std::string expected = "--" + boundary + "\r\n" +
                         "Content-Disposition: form-data; name=\"file\"; filename=\"shot %221%22.png\"\r\n" +
                         "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
  CHECK(seen[1].body == expected);
  CHECK(seen[1].target == "/api/v1/projects/P/feedbackTypes/M/feedback/S-1/fileElements/Shot?apiKey=" + kKey);
}

TEST_CASE("absolute URLs: same origin only, apiKey appended correctly", "[api][flow]") {
  TestServer server;
  auto client = make_client(options_for(server));
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  client->get_absolute(origin + "/api/v1/userImports/Mobile/status/abc", kKey);
  client->get_absolute(origin + "/api/v1/x/status/abc?verbose=1", kKey);
  client->post_file_absolute(origin + "/api/v1/projects/P/feedbackTypes/M/feedback/S-1/fileElements/Log", kKey,
                             "log.txt", "hello");
  auto seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].target == "/api/v1/userImports/Mobile/status/abc?apiKey=" + kKey);
  CHECK(seen[1].target == "/api/v1/x/status/abc?verbose=1&apiKey=" + kKey);
  CHECK(seen[2].method == "POST");

  for (std::string bad : std::vector<std::string>{"http://localhost:" + std::to_string(server.port()) + "/api/v1/x",
                          "https://127.0.0.1:" + std::to_string(server.port()) + "/api/v1/x",
                          "http://127.0.0.1:1/api/v1/x", "http://evil.example/?apiKey=" + kKey, "nonsense"}) {
    try {
      client->get_absolute(bad, kKey);
      FAIL("accepted " << bad);
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Permanent);
      CHECK(std::string(e.what()).find(kKey) == std::string::npos);
    }
  }
  CHECK(server.requests().size() == 3);  // nothing sent to the wrong origins
}

TEST_CASE("bodies above body_limit are refused", "[api][flow]") {
  TestServer server;
  Reply big;
  big.body = std::string(5000, 'x');
  server.script({big});
  auto options = options_for(server);
  options.body_limit = 1000;
  auto client = make_client(options);
  try {
    client->get("/big", kKey);
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Permanent);
    CHECK(std::string(e.what()).find("body limit") != std::string::npos);
  }
  CHECK(server.requests().size() == 1);
}

TEST_CASE("X-Rate-Limit-Remaining: 0 holds the endpoint until X-Rate-Limit-Reset", "[api][flow][rate]") {
  TestServer server;
  std::atomic<int> n{0};
  server.set_handler([&](const SeenRequest&) {
    Reply r;
    if (++n == 1)
      r.headers = {{"X-Rate-Limit-Remaining", "0"},
                   {"X-Rate-Limit-Reset", iso_utc(system_clock::now() + 600ms)}};
    return r;
  });
  auto client = make_client(options_for(server));
  client->get("/held?page=1", kKey);
  client->get("/other", kKey);  // another endpoint is not held
  client->get("/held?page=2", kKey);
  auto seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].arrived - seen[0].arrived < 400ms);
  CHECK(seen[2].arrived - seen[0].arrived >= 550ms);
  CHECK(seen[2].arrived - seen[0].arrived < 2s);
  CHECK(client->stats().throttled == 0);
}
