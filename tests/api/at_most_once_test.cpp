// Retries are a property of the request: a POST that creates something (Idempotency::AtMostOnce,
// the default) reaches the server at most once unless it provably never did (connect failure,
// 429). Each case counts what the server received, so a client that resends fails it.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "api/api_error.h"
#include "api/client.h"
#include "api/test_server.h"

using namespace ccetl;
using namespace ccetl::testing;
using namespace std::chrono;
using Kind = Reply::Kind;

namespace {

const std::string kKey = "at-most-once-KEY";

ClientOptions options_for(const std::string& base_url) {
  ClientOptions o;
  o.base_url = base_url;
  o.allow_insecure_http = true;
  o.rate_limit = 1000;
  o.connect_timeout = 2s;
  o.request_timeout = 3s;
  o.backoff_base = 5ms;
  o.backoff_max = 50ms;
  o.max_attempts = 4;
  return o;
}

Reply reply(int status, std::string body = "{}") {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply misbehave(Kind kind) {
  Reply r = reply(200, std::string(4000, 'x'));
  r.kind = kind;
  return r;
}

// Posts once with AtMostOnce and returns the error (fails the test when none was thrown).
ApiError post_expecting_error(ApiClient& client) {
  try {
    client.post_json("/projects/P/feedback/Mobile", kKey, R"({"summary":"s"})");
  } catch (const ApiError& e) {
    return e;
  }
  FAIL("the POST did not fail");
  throw std::logic_error("unreachable");
}

// A loopback port that nothing listens on: bound, then closed.
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("a creating POST answered 5xx, closed or timed out after it was written is sent once",
          "[api][at_most_once]") {
  struct Case {
    const char* name;
    Reply first;
    const char* says;
  };
  Reply slow = reply(201);
  slow.delay = 2500ms;  // beyond the 1 s request timeout below
  std::vector<Case> cases = {
      {"502", reply(502, R"({"description":"Bad gateway"})"), "502"},
      {"500", reply(500), "500"},
      {"close without answer", misbehave(Kind::CloseWithoutAnswer), "closed"},
      {"reset mid-body", misbehave(Kind::ResetMidBody), "truncated"},
      {"truncated body", misbehave(Kind::Truncate), "truncated"},
      {"answer after the timeout", slow, "timeout"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      TestServer server;
      auto options = options_for(server.base_url());
      options.request_timeout = 1s;
      auto client = make_client(options);
      server.script({c.first, reply(201)});  // a resend would succeed: the count below catches it
      ApiError e = post_expecting_error(*client);
      std::string what = e.what();
      INFO(what);
      CHECK(server.requests().size() == 1);
      CHECK(e.maybe_applied());
      CHECK(e.kind() == ErrorKind::Transient);
      CHECK(what.find("POST ") == 0);
      CHECK(what.find(c.says) != std::string::npos);
      CHECK(what.find("not sent again") != std::string::npos);
      CHECK(what.find(kKey) == std::string::npos);
    }
  }
}

TEST_CASE("a creating POST is retried after 429 and sent again only then", "[api][at_most_once]") {
  TestServer server;
  auto client = make_client(options_for(server.base_url()));
  server.script({reply(429, R"({"description":"Too many"})"), reply(201, R"({"key":"SUG-1"})")});
  Response r = client->post_json("/projects/P/feedback/Mobile", kKey, "{}");
  CHECK(r.status == 201);
  CHECK(r.attempts == 2);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("a creating POST whose connection was refused is retried: it never left the client",
          "[api][at_most_once]") {
  auto client = make_client(options_for("http://127.0.0.1:" + std::to_string(closed_port())));
  ApiError e = post_expecting_error(*client);
  INFO(e.what());
  CHECK_FALSE(e.maybe_applied());
  CHECK(client->stats().requests == 4);  // max_attempts: every attempt failed before writing
}

TEST_CASE("a creating POST goes out on a fresh connection, never on a kept-alive one", "[api][at_most_once]") {
  TestServer server;
  auto client = make_client(options_for(server.base_url()));
  client->get("/a", kKey);
  client->post_json("/projects/P/feedback/Mobile", kKey, "{}");
  client->get("/a", kKey);
  auto seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].connection != seen[0].connection);  // the POST did not reuse the GET's connection
  CHECK(seen[1].method == "POST");
}

TEST_CASE("idempotent POSTs (data listeners) keep retrying 5xx, resets and timeouts", "[api][at_most_once]") {
  TestServer server;
  auto options = options_for(server.base_url());
  options.request_timeout = 1s;
  auto client = make_client(options);
  Reply slow = reply(200);
  slow.delay = 2500ms;
  server.script({reply(502), misbehave(Kind::CloseWithoutAnswer), slow, reply(200, R"({"ok":true})")});
  Response r = client->post_json("/userDataListeners/Performance?find=a", kKey, "{}", Idempotency::Idempotent);
  CHECK(r.status == 200);
  CHECK(server.requests().size() == 4);  // every answer was followed by a resend
}

TEST_CASE("the resend after a stale kept-alive connection waits for its rate slot", "[api][at_most_once][rate]") {
  // At 2 requests a second the client spaces requests to one endpoint by about 500 ms. The server
  // closes the kept-alive connection under the second GET without answering; the resend that
  // follows is a third request and must wait for its own slot (a lower bound: load only delays).
  TestServer server;
  auto options = options_for(server.base_url());
  options.rate_limit = 2;
  auto client = make_client(options);
  server.script({reply(200), misbehave(Kind::CloseWithoutAnswer), reply(200)});
  client->get("/a", kKey);
  Response r = client->get("/a", kKey);
  CHECK(r.status == 200);
  auto seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].connection != seen[1].connection);
  CHECK(seen[2].arrived - seen[1].arrived >= 400ms);
}

TEST_CASE("a refused creating POST (4xx) is known not applied; an unclassified error is assumed applied",
          "[api][at_most_once]") {
  TestServer server;
  auto client = make_client(options_for(server.base_url()));
  server.script({reply(400, R"({"description":"An email address is required."})")});
  ApiError refused = post_expecting_error(*client);
  CHECK_FALSE(refused.maybe_applied());
  CHECK(server.requests().size() == 1);
  // The safe default for errors the client did not classify (e.g. a run stopped mid-request).
  CHECK(ApiError(ErrorKind::Transient, "POST … → cancelled", 0, "cancelled").maybe_applied());
}
