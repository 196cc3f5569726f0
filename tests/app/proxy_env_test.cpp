// `ccetl run` behind a corporate proxy: HTTPS_PROXY / NO_PROXY from the environment and
// centercode.proxy from the file, a CONNECT proxy written for the test, the simulator over TLS.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/child_process.h"
#include "support/connect_proxy.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

// A certificate for localhost, made before the simulator that serves it starts.
struct LocalhostCert {
  LocalhostCert() {
    dir = std::filesystem::temp_directory_path() / ("ccetl-proxy-cert-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                      "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " + key + " -out " + cert +
                      " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
  }
  ~LocalhostCert() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::string cert, key;
};

// The job file for the TLS simulator at https://localhost:PORT, trusting `cert`.
std::string write_config(SyncHarness& h, const LocalhostCert& cert, const std::string& extra_centercode = "") {
  std::string path = (h.dir() / "tls.yaml").string();
  std::ofstream(path) << "centercode:\n  base_url: https://localhost:" << h.sim().port() << "/api/v1\n  api_key: " << kKey
                      << "\n  ca_file: " << cert.cert << "\n" << extra_centercode << "warehouse:\n  dsn: \"" << h.dsn()
                      << "\"\n  schema: centercode\njobs:\n"
                      << "  - name: feedback_scores\n"
                      << "    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}\n"
                      << "    key: [ID]\n";
  return path;
}

}  // namespace

TEST_CASE("ccetl run: HTTPS_PROXY tunnels to the TLS simulator; credentials never printed; NO_PROXY bypasses") {
  LocalhostCert cert;
  SyncHarness h({"--rate-limit", "0", "--tls-cert", cert.cert, "--tls-key", cert.key});
  const std::string config = write_config(h, cert);
  // base64("etl:pr0xy-pa55")
  ConnectProxy proxy(std::string("Basic ZXRsOnByMHh5LXBhNTU="));
  const std::string proxy_url = "http://etl:pr0xy-pa55@127.0.0.1:" + std::to_string(proxy.port());

  RunResult r = run_binary("ccetl", {"--log-level", "debug", "run", "-c", config},
                           {{"HTTPS_PROXY", proxy_url}, {"NO_PROXY", "example.com"}});
  INFO(r.out + r.err);
  REQUIRE(r.code == 0);
  REQUIRE(!proxy.requests().empty());
  CHECK(proxy.requests()[0].line == "CONNECT localhost:" + std::to_string(h.sim().port()) + " HTTP/1.1");
  CHECK(proxy.tunnels() >= 1);
  CHECK(h.count("SELECT count(*) FROM centercode.feedback_scores") == 5);
  CHECK((r.out + r.err).find("pr0xy-pa55") == std::string::npos);
  CHECK((r.out + r.err).find("ZXRsOnByMHh5LXBhNTU") == std::string::npos);

  const size_t before = proxy.requests().size();
  RunResult direct = run_binary("ccetl", {"run", "-c", config},
                                {{"https_proxy", proxy_url}, {"no_proxy", "localhost"}});
  INFO(direct.err);
  CHECK(direct.code == 0);
  CHECK(proxy.requests().size() == before);
}

TEST_CASE("ccetl run: centercode.proxy in the file; wrong credentials fail clearly, exit 1, no retries") {
  LocalhostCert cert;
  SyncHarness h({"--rate-limit", "0", "--tls-cert", cert.cert, "--tls-key", cert.key});
  ConnectProxy proxy(std::string("Basic ZXRsOnByMHh5LXBhNTU="));
  const std::string at = "127.0.0.1:" + std::to_string(proxy.port());
  RunResult ok = run_binary("ccetl", {"run", "-c", write_config(h, cert, "  proxy: http://etl:pr0xy-pa55@" + at + "\n")},
                            {{"HTTPS_PROXY", "http://unused.invalid:1"}});
  INFO(ok.err);
  CHECK(ok.code == 0);
  REQUIRE(proxy.tunnels() >= 1);

  const size_t before = proxy.requests().size();
  RunResult refused = run_binary("ccetl", {"run", "-c", write_config(h, cert, "  proxy: http://etl:nope-nope@" + at + "\n")});
  CHECK(refused.code == 1);
  CHECK_THAT(refused.err, Catch::Contains("407") && Catch::Contains("http://" + at));
  CHECK(refused.err.find("nope-nope") == std::string::npos);
  CHECK(proxy.requests().size() == before + 1);

  RunResult bad = run_binary("ccetl", {"run", "-c", write_config(h, cert, "  proxy: socks5://" + at + "\n")});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("centercode.proxy"));
}
