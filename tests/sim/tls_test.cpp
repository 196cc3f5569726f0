// HTTPS with a self-signed certificate made by the openssl CLI, queried with curl.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "sim_test_util.h"

using namespace ccetl::test;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

TEST_CASE("serves HTTPS with --tls-cert/--tls-key", "[sim][tls]") {
  if (std::system("command -v openssl >/dev/null && command -v curl >/dev/null") != 0) {
    WARN("openssl or curl missing; TLS test skipped");
    return;
  }
  auto dir = std::filesystem::temp_directory_path() / ("sim-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " + key +
                       " -out " + cert + " >/dev/null 2>&1")
                          .c_str()) == 0);
  SimProcess sim(sim_args({"--tls-cert", cert, "--tls-key", key}));
  std::string url = "https://127.0.0.1:" + std::to_string(sim.port()) +
                    "/api/v1/userDataPackages/NegativeScore?page=1&apiKey=" + kKey;
  std::string body = run("curl -s -k '" + url + "'");
  CHECK(body.find("\"Jim C.\"") != std::string::npos);
  // Status endpoints built from the request are https.
  std::string accepted = run("curl -s -k -X POST '" + std::string("https://127.0.0.1:") + std::to_string(sim.port()) +
                             "/api/v1/userMacroListeners/Enrich?find=jim&apiKey=" + kKey + "'");
  CHECK(accepted.find("\"statusEndpoint\":\"https://127.0.0.1:") != std::string::npos);
  // Plain HTTP to the TLS port gets no answer.
  HttpTestClient plain(sim.host(), sim.port());
  plain.set_timeout_ms(2000);
  CHECK(plain.get("/_sim/health").status == 0);
  std::filesystem::remove_all(dir);
}
