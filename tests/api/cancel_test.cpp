// Cancellation reaches every wait of the client: the exchange in flight, the backoff between
// attempts, and the rate limiter's hold after a 429. Without it a stop waits out request_timeout
// or max_attempts x backoff.
#include <catch2/catch.hpp>

#include <optional>
#include <thread>

#include "api/api_error.h"
#include "api/client.h"
#include "api/rate_limiter.h"
#include "api/test_server.h"
#include "core/cancel.h"

using namespace ccetl;
using namespace ccetl::testing;
using namespace std::chrono;
using Kind = Reply::Kind;
using Clock = steady_clock;

namespace {

// Cancels `token` after `delay` on a thread of its own.
struct CancelLater {
  CancelLater(CancelToken& token, milliseconds delay)
      : thread([&token, delay] {
          std::this_thread::sleep_for(delay);
          token.cancel();
        }) {}
  ~CancelLater() { thread.join(); }
  std::thread thread;
};

// Calls get() and returns (how long it took, the error text).
std::pair<Clock::duration, std::string> timed_get(ApiClient& client) {
  auto t0 = Clock::now();
  std::string error;
  try {
    client.get("/x", "key");
  } catch (const ApiError& e) {
    error = e.what();
    CHECK(e.kind() == ErrorKind::Transient);
  }
  return {Clock::now() - t0, error};
}

ClientOptions options(const TestServer& server, const CancelToken& token) {
  ClientOptions o;
  o.base_url = server.base_url();
  o.allow_insecure_http = true;
  o.rate_limit = 1000;
  o.request_timeout = 60s;
  o.cancel = &token;
  return o;
}

}  // namespace

TEST_CASE("cancel: sleep_until wakes at once, callbacks run once, registrations end", "[api][cancel]") {
  CancelToken token;
  int calls = 0;
  {
    auto gone = token.on_cancel([&] { calls += 100; });
  }
  auto reg = token.on_cancel([&] { ++calls; });
  CancelLater later(token, 200ms);
  auto t0 = Clock::now();
  CHECK_FALSE(token.sleep_for(60s));
  CHECK(Clock::now() - t0 < 20s);
  CHECK(token.cancelled());
  token.cancel();  // idempotent
  CHECK(calls == 1);
  auto late = token.on_cancel([&] { ++calls; });  // already cancelled: runs at once
  CHECK(calls == 2);
}

TEST_CASE("cancel: a request the server never answers is aborted", "[api][cancel]") {
  TestServer server;
  server.script({Reply{Reply::Kind::Hang}});
  CancelToken token;
  auto client = make_client(options(server, token));
  CancelLater later(token, 300ms);
  auto [took, error] = timed_get(*client);
  CHECK(took < 20s);  // request_timeout is 60 s
  CHECK_THAT(error, Catch::Contains("cancelled"));
  CHECK(server.requests().size() == 1);  // the fault fired: the request was in flight
}

TEST_CASE("cancel: the backoff between attempts ends at once, and no new attempt starts", "[api][cancel]") {
  TestServer server;
  server.set_handler([](const SeenRequest&) {
    Reply r;
    r.status = 503;
    return r;
  });
  CancelToken token;
  ClientOptions o = options(server, token);
  o.backoff_base = 60s;  // full jitter: the first wait is up to 60 s; the test needs it long
  o.backoff_max = 60s;
  o.max_attempts = 5;
  auto client = make_client(o);
  CancelLater later(token, 500ms);
  auto [took, error] = timed_get(*client);
  CHECK(took < 20s);
  CHECK_THAT(error, Catch::Contains("cancelled"));
  CHECK(server.requests().size() <= 2);  // at most an attempt after a near-zero jitter draw
}

TEST_CASE("cancel: a 429 hold on the endpoint ends at once", "[api][cancel]") {
  TestServer server;
  Reply throttled;
  throttled.status = 429;
  throttled.headers = {{"Retry-After", "50"}};
  server.script({throttled});
  CancelToken token;
  ClientOptions o = options(server, token);
  o.backoff_max = 60s;  // the hold follows Retry-After (50 s), capped by backoff_max
  auto client = make_client(o);
  CancelLater later(token, 500ms);
  auto [took, error] = timed_get(*client);
  CHECK(took < 20s);
  CHECK_THAT(error, Catch::Contains("cancelled"));
  CHECK(server.requests().size() == 1);
}

TEST_CASE("cancel: RateLimiter::acquire returns false when cancelled during a hold", "[api][cancel]") {
  api::RateLimiter limiter(10);
  limiter.hold_until("/a", Clock::now() + 60s);
  CancelToken token;
  CancelLater later(token, 200ms);
  auto t0 = Clock::now();
  CHECK_FALSE(limiter.acquire("/a", &token));
  CHECK(Clock::now() - t0 < 20s);
}

// A create cut off by a stop after the server took it may have been applied: the push ledger
// must record it `unknown` and never send it again. A create stopped before it left the client
// provably was not, and may go out on the next run.
TEST_CASE("cancel: a creating POST cut off in flight may have been applied; one stopped before it left was not",
          "[api][cancel][at_most_once]") {
  TestServer server;
  server.script({Reply{Reply::Kind::Hang}});
  CancelToken token;
  auto client = make_client(options(server, token));
  std::thread stopper([&] {
    // Cancel only once the server holds the request: the cut provably falls after the write.
    for (int i = 0; i < 2000 && server.requests().empty(); ++i) std::this_thread::sleep_for(5ms);
    token.cancel();
  });
  std::optional<ApiError> in_flight;
  try {
    client->post_json("/projects/P/feedback/Mobile", "key", R"({"summary":"s"})");
  } catch (const ApiError& e) {
    in_flight = e;
  }
  stopper.join();
  REQUIRE(in_flight);
  CHECK_THAT(in_flight->what(), Catch::Contains("cancelled"));
  CHECK(server.requests().size() == 1);  // the fault fired: the server held the written request
  CHECK(in_flight->maybe_applied());

  std::optional<ApiError> never_left;
  try {
    client->post_json("/projects/P/feedback/Mobile", "key", R"({"summary":"s"})");  // token already cancelled
  } catch (const ApiError& e) {
    never_left = e;
  }
  REQUIRE(never_left);
  CHECK(server.requests().size() == 1);
  CHECK_FALSE(never_left->maybe_applied());
}
