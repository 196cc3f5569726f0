// TLS and configuration checks of the client over real sockets.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "api/api_error.h"
#include "api/client.h"
#include "api/test_server.h"
#include "core/error.h"

using namespace ccetl;
using namespace ccetl::testing;
using namespace std::chrono;

namespace {
const std::string kKey = "tls-secret-key";

ClientOptions tls_options(const TestServer& server, const std::string& host) {
  ClientOptions o;
  o.base_url = server.base_url(host);
  // Generous: a slow machine (or valgrind) must not turn a TLS refusal into a timeout + retry.
  o.connect_timeout = 10s;
  o.request_timeout = 10s;
  o.backoff_base = 5ms;
  o.backoff_max = 20ms;
  o.max_attempts = 3;
  return o;
}
}  // namespace

TEST_CASE("TLS: verified with ca_file, refused without, refused for a wrong host name", "[api][tls]") {
  TestCert cert;
  TestServer server(&cert);

  SECTION("self-signed certificate refused by default, permanently, without retries") {
    auto client = make_client(tls_options(server, "localhost"));
    try {
      client->get("/userDataPackages/X?page=1", kKey);
      FAIL("no exception");
    } catch (const ApiError& e) {
      std::string what = e.what();
      INFO(what);
      CHECK(e.kind() == ErrorKind::Permanent);
      CHECK(what.find("certificate verify failed") != std::string::npos);
      CHECK(what.find("centercode.ca_file") != std::string::npos);
      CHECK(what.find(kKey) == std::string::npos);
    }
    CHECK(server.requests().empty());
    CHECK(server.connections() == 1);
  }

  SECTION("accepted with ca_file; kept-alive connection reused") {
    auto options = tls_options(server, "localhost");
    options.ca_file = cert.cert_file;
    auto client = make_client(options);
    for (int i = 1; i <= 3; ++i)
      CHECK(client->get("/userDataPackages/X?page=" + std::to_string(i), kKey).status == 200);
    CHECK(server.requests().size() == 3);
    CHECK(server.connections() == 1);
  }

  SECTION("wrong host name refused even with ca_file") {
    auto options = tls_options(server, "127.0.0.1");  // certificate is for localhost only
    options.ca_file = cert.cert_file;
    auto client = make_client(options);
    try {
      client->get("/userDataPackages/X?page=1", kKey);
      FAIL("no exception");
    } catch (const Error& e) {
      std::string what = e.what();
      INFO(what);
      CHECK(e.kind() == ErrorKind::Permanent);
      CHECK(what.find("certificate verify failed") != std::string::npos);
    }
    CHECK(server.requests().empty());
  }
}

TEST_CASE("a TLS handshake that never completes is cut off by the connect timeout", "[api][tls]") {
  SilentListener silent;
  ClientOptions o;
  o.base_url = "https://localhost:" + std::to_string(silent.port()) + "/api/v1";
  o.connect_timeout = 300ms;
  o.request_timeout = 5s;
  o.max_attempts = 1;
  auto client = make_client(o);
  auto t0 = steady_clock::now();
  try {
    client->get("/x", kKey);
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Transient);
    CHECK(std::string(e.what()).find("timed out") != std::string::npos);
  }
  auto elapsed = steady_clock::now() - t0;
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("configuration errors from make_client", "[api][config]") {
  ClientOptions o;
  o.base_url = "http://127.0.0.1:1/api/v1";
  try {
    make_client(o);
    FAIL("http accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Config);
    CHECK(std::string(e.what()).find("allow_insecure_http") != std::string::npos);
  }
  o.allow_insecure_http = true;
  CHECK(make_client(o) != nullptr);

  o.base_url = "not a url";
  CHECK_THROWS_AS(make_client(o), Error);
  o.base_url = "https://x.example/api/v1?apiKey=abc";
  try {
    make_client(o);
    FAIL("query accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("abc") == std::string::npos);
  }

  o.base_url = "https://x.example/api/v1";
  o.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_AS(make_client(o), Error);
  std::string junk = "/tmp/ccetl-api-junk-ca.pem";
  std::ofstream(junk) << "not a certificate\n";
  o.ca_file = junk;
  try {
    make_client(o);
    FAIL("junk ca_file accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Config);
  }
  std::remove(junk.c_str());
}
