// HTTPS through an HTTP CONNECT proxy: a real proxy (tests/support/connect_proxy.h) between the
// client and a TLS server, over loopback sockets.
#include <catch2/catch.hpp>

#include <chrono>

#include "api/api_error.h"
#include "api/client.h"
#include "api/proxy.h"
#include "api/test_server.h"
#include "core/error.h"
#include "support/connect_proxy.h"

using namespace ccetl;
using namespace ccetl::testing;
using ccetl::test::ConnectProxy;
using namespace std::chrono;

namespace {

const std::string kKey = "proxy-test-api-key";
// base64("ops user:s3cret/pw")
const std::string kBasic = "Basic b3BzIHVzZXI6czNjcmV0L3B3";

ClientOptions via(const TestServer& server, const TestCert& cert, const std::string& origin_host,
                  const std::string& proxy) {
  ClientOptions o;
  o.base_url = server.base_url(origin_host);
  o.ca_file = cert.cert_file;
  o.proxy = proxy;
  o.connect_timeout = 10s;
  o.request_timeout = 10s;
  o.backoff_base = 5ms;
  o.backoff_max = 20ms;
  o.max_attempts = 3;
  return o;
}

api::Url origin(const std::string& url) { return *api::parse_url(url); }

}  // namespace

TEST_CASE("proxy URLs: scheme, credentials, default port, clear errors without the password", "[api][proxy]") {
  auto p = api::parse_proxy("http://ops%20user:s3cret%2Fpw@Proxy.Corp:3128/", "HTTPS_PROXY");
  CHECK(p.host == "proxy.corp");
  CHECK(p.port == "3128");
  CHECK(p.authorization == kBasic);
  CHECK(p.shown == "http://proxy.corp:3128");
  auto bare = api::parse_proxy("10.0.0.1", "HTTPS_PROXY");
  CHECK(bare.port == "1080");
  CHECK(bare.authorization.empty());
  CHECK(api::parse_proxy("http://[::1]:8080", "x").host == "::1");
  for (const char* bad : {"socks5://h:1080", "https://h:443", "http://:3128", "http://h:99999", "http://h:80/path",
                          "http://u:p%zz@h:1"}) {
    INFO(bad);
    try {
      api::parse_proxy(bad, "centercode.proxy");
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::Config);
      CHECK_THAT(e.what(), Catch::StartsWith("centercode.proxy: "));
    }
  }
  try {
    api::parse_proxy("ftp://user:hunter2@h:21", "HTTPS_PROXY");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
}

TEST_CASE("NO_PROXY: exact hosts, domains and subdomains, ports, '*'", "[api][proxy]") {
  auto api_host = origin("https://api.centercode.com/api/v1");
  CHECK(api::bypasses_proxy("centercode.com", api_host));
  CHECK(api::bypasses_proxy(".centercode.com", api_host));
  CHECK(api::bypasses_proxy("localhost, API.Centercode.com", api_host));
  CHECK(api::bypasses_proxy("*", api_host));
  CHECK(api::bypasses_proxy("api.centercode.com:443", api_host));
  CHECK_FALSE(api::bypasses_proxy("api.centercode.com:8443", api_host));
  CHECK_FALSE(api::bypasses_proxy("tercode.com", api_host));  // not a domain boundary
  CHECK_FALSE(api::bypasses_proxy("", api_host));
  CHECK(api::bypasses_proxy("10.1.2.3", origin("https://10.1.2.3/api")));
  CHECK(api::bypasses_proxy("::1", origin("https://[::1]:8443/api")));
  // http:// origins (test servers) never go through the HTTPS proxy.
  CHECK_FALSE(api::proxy_for("http://p:3128", "HTTPS_PROXY", "", origin("http://localhost:8080/api")));
  CHECK(api::proxy_for("http://p:3128", "HTTPS_PROXY", "", api_host));
  CHECK_FALSE(api::proxy_for("http://p:3128", "HTTPS_PROXY", "centercode.com", api_host));
}

TEST_CASE("HTTPS through a CONNECT proxy: tunnel to the origin, TLS verified against the origin's name", "[api][proxy]") {
  TestCert cert;  // for DNS:localhost only
  TestServer server(&cert);
  ConnectProxy proxy(kBasic);

  SECTION("requests go through the tunnel, with the proxy's credentials on CONNECT only") {
    auto port = std::to_string(server.port());
    // The proxy is addressed as 127.0.0.1, which the certificate does not name: only a check
    // against the origin (localhost) passes.
    auto client = make_client(via(server, cert, "localhost", "http://ops%20user:s3cret%2Fpw@127.0.0.1:" +
                                                                   std::to_string(proxy.port())));
    for (int i = 1; i <= 2; ++i) CHECK(client->get("/userDataPackages/X?page=" + std::to_string(i), kKey).status == 200);
    REQUIRE(proxy.requests().size() == 1);  // one tunnel, kept alive for both requests
    CHECK(proxy.requests()[0].line == "CONNECT localhost:" + port + " HTTP/1.1");
    CHECK(proxy.requests()[0].authorization == kBasic);
    CHECK(proxy.tunnels() == 1);
    CHECK(server.requests().size() == 2);
  }

  SECTION("the origin's certificate must match the origin even when it would match the proxy's name") {
    // Origin 127.0.0.1 (not in the certificate), proxy addressed as localhost (in it).
    auto client = make_client(via(server, cert, "127.0.0.1", "http://ops%20user:s3cret%2Fpw@localhost:" +
                                                                   std::to_string(proxy.port())));
    try {
      client->get("/userDataPackages/X?page=1", kKey);
      FAIL("no exception");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.kind() == ErrorKind::Permanent);
      CHECK_THAT(e.what(), Catch::Contains("certificate verify failed"));
    }
    REQUIRE(proxy.tunnels() == 1);  // the failure came from TLS inside the tunnel
    CHECK(server.requests().empty());
  }

  SECTION("wrong proxy credentials: 407, permanent, named without the password") {
    auto client = make_client(via(server, cert, "localhost", "http://ops%20user:wrong@127.0.0.1:" +
                                                                   std::to_string(proxy.port())));
    try {
      client->get("/userDataPackages/X?page=1", kKey);
      FAIL("no exception");
    } catch (const Error& e) {
      std::string what = e.what();
      INFO(what);
      CHECK(e.kind() == ErrorKind::Permanent);
      CHECK_THAT(what, Catch::Contains("407") && Catch::Contains("http://127.0.0.1:" + std::to_string(proxy.port())));
      CHECK(what.find("wrong") == std::string::npos);
      CHECK(what.find(kKey) == std::string::npos);
    }
    CHECK(proxy.requests().size() == 1);  // not retried
    CHECK(proxy.tunnels() == 0);
    CHECK(server.connections() == 0);
  }

  SECTION("NO_PROXY reaches the origin directly") {
    auto options = via(server, cert, "localhost", proxy.url());
    options.no_proxy = "example.com,localhost";
    CHECK(make_client(options)->get("/userDataPackages/X?page=1", kKey).status == 200);
    CHECK(proxy.requests().empty());
    CHECK(server.requests().size() == 1);
  }
}
