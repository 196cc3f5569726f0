// The daemon's /metrics across its own restarts and reloads: what an alert on freshness or on
// an HTTP error rate sees.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <thread>

#include <fstream>
#include <pqxx/pqxx>

#include "support/child_process.h"
#include "support/eventually.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;

namespace {

// The value of the series `series` (name and labels exactly); -1 when absent.
double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

const char* kDaemon = "daemon:\n  listen: 127.0.0.1:0\n  grace: 1s\n";

}  // namespace

TEST_CASE("daemon: freshness of every job is restored from ccetl.runs at start; skipped deletes do not count") {
  SyncHarness h;
  h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    interval: 1h
  - name: partial
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    interval: 1h
  - name: never_ran
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    after: [partial]
)", "", kDaemon);
  // History written by earlier processes: a complete sync of each job an hour ago, and later a
  // run of `partial` that succeeded with its deletes skipped. Recent enough that nothing is due.
  auto wh = connect_warehouse(h.dsn());
  wh->ensure_catalog();
  h.query(R"(INSERT INTO ccetl.runs (job, status, started_at, finished_at, messages) VALUES
      ('feedback_scores', 'succeeded', now() - interval '31 min', '2030-01-01 00:00:00+00', NULL),
      ('partial', 'succeeded', now() - interval '40 min', '2030-01-01 00:00:00+00', NULL),
      ('partial', 'succeeded', now() - interval '20 min', '2030-06-01 00:00:00+00',
       E'read 5 rows\ndeletes skipped: 4 of 5 live rows are missing from this run'),
      ('feedback_scores', 'failed', now() - interval '10 min', '2030-07-01 00:00:00+00', NULL))");
  const double jan_2030 = 1893456000;
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  int port = daemon_port(d);
  INFO(d.err());
  REQUIRE(port > 0);
  HttpTestClient http("127.0.0.1", static_cast<uint16_t>(port));
  std::string metrics;
  REQUIRE(eventually([&] {
    metrics = http.get("/metrics").body;
    return sample(metrics, "ccetl_last_success_timestamp_seconds{ccetl_job=\"never_ran\"}") >= 0;
  }));
  INFO(metrics + d.err());
  CHECK(sample(metrics, "ccetl_last_success_timestamp_seconds{ccetl_job=\"feedback_scores\"}") == jan_2030);
  CHECK(sample(metrics, "ccetl_last_success_timestamp_seconds{ccetl_job=\"partial\"}") == jan_2030);
  CHECK(sample(metrics, "ccetl_last_success_timestamp_seconds{ccetl_job=\"never_ran\"}") == 0);
  CHECK(sample(metrics, "ccetl_runs_total{ccetl_job=\"never_ran\",outcome=\"failed\"}") == 0);
  d.signal(SIGTERM);
  CHECK(d.wait(30s) == 0);
}

TEST_CASE("daemon: HTTP counters keep growing across a SIGHUP reload") {
  SyncHarness h;
  h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    interval: 1s
)", "", kDaemon);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  const std::string ok = "ccetl_http_requests_total{status=\"200\"}";
  const std::string runs = "ccetl_runs_total{ccetl_job=\"feedback_scores\",outcome=\"succeeded\"}";
  double before = 0;
  REQUIRE(eventually([&] {
    before = sample(http.get("/metrics").body, ok);
    return before >= 3;
  }));
  d.signal(SIGHUP);
  REQUIRE(eventually([&] { return d.err().find("configuration reloaded") != std::string::npos; }));
  // Two more runs after the reload: at least one of them used the new client.
  double runs_at_reload = sample(http.get("/metrics").body, runs);
  std::string after;
  REQUIRE(eventually([&] {
    after = http.get("/metrics").body;
    return sample(after, runs) >= runs_at_reload + 2;
  }));
  INFO(after);
  CHECK(sample(after, ok) >= before + 2);
  d.signal(SIGTERM);
  CHECK(d.wait(30s) == 0);
}

TEST_CASE("daemon: freshness is restored once the database, down at start, comes up") {
  SyncHarness h;  // for the simulator and a directory; the daemon's database does not exist yet
  const std::string name = "late_" + std::to_string(::getpid());
  const std::string dsn = admin_dsn() + " dbname=" + name;
  const std::string path = (h.dir() / "late.yaml").string();
  std::ofstream(path) << "centercode:\n  base_url: " << h.sim().base_url() << "/api/v1\n  api_key: " << kKey
                      << "\n  allow_insecure_http: true\nwarehouse:\n  dsn: \"" << dsn << "\"\n" << kDaemon
                      << "jobs:\n  - name: late\n    source: {scope: project_feedback, project: WidgetPro, report: "
                         "FeedbackScores}\n    key: [ID]\n";  // no schedule: it never runs here
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", path});
  int port = daemon_port(d);
  INFO(d.err());
  REQUIRE(port > 0);
  REQUIRE(eventually([&] { return d.err().find("database not reachable") != std::string::npos; }));
  {
    pqxx::connection admin(admin_dsn());
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name + " TEMPLATE template0");
  }
  auto wh = connect_warehouse(dsn);
  wh->ensure_catalog();
  {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    tx.exec("INSERT INTO ccetl.runs (job, status, finished_at) VALUES ('late', 'succeeded', '2030-01-01 00:00:00+00')");
  }
  HttpTestClient http("127.0.0.1", static_cast<uint16_t>(port));
  // The daemon re-checks an unreachable database every 10 s.
  std::string metrics;
  CHECK(eventually([&] {
    metrics = http.get("/metrics").body;
    return sample(metrics, "ccetl_last_success_timestamp_seconds{ccetl_job=\"late\"}") == 1893456000;
  }, 60s));
  INFO(metrics);
  d.signal(SIGTERM);
  CHECK(d.wait(30s) == 0);
}
