// The daemon as systemd and Kubernetes run it: a child process, signals, /metrics, locks.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "support/child_process.h"
#include "support/eventually.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;

namespace {

const char* kDaemonSection = "daemon:\n  listen: 127.0.0.1:0\n  grace: 1s\n";

}  // namespace

TEST_CASE("daemon: runs a due job at start, then serves its metrics, health and readiness") {
  SyncHarness h;
  h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    schedule: "0 3 * * *"
)", "", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") == 1; }));
  CHECK(http.get("/healthz").status == 200);
  CHECK(eventually([&] { return http.get("/readyz").status == 200; }));
  std::string metrics;
  REQUIRE(eventually([&] {
    metrics = http.get("/metrics").body;
    return metrics.find("ccetl_runs_total{ccetl_job=\"feedback_scores\",outcome=\"succeeded\"} 1") != std::string::npos;
  }));
  CHECK_THAT(metrics, Catch::Contains("ccetl_rows_written_total{ccetl_job=\"feedback_scores\",outcome=\"inserted\"} 5"));
  CHECK_THAT(metrics, Catch::Contains("ccetl_run_duration_seconds_count{ccetl_job=\"feedback_scores\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("ccetl_last_success_timestamp_seconds{ccetl_job=\"feedback_scores\"}"));
  CHECK_THAT(metrics, Catch::Contains("ccetl_http_requests_total{status=\"200\"}"));
  CHECK(metrics.find(kKey) == std::string::npos);
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
}

TEST_CASE("daemon: SIGTERM during a run rolls the run back and exits 0") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Slow", "resultsPerPage": 5,
                    "synthetic": {"rows": 200, "seed": 5, "fields": ["string", "integer"]}})");
  h.put_faults(R"({"rules": [{"kind": "latency", "path": "Slow", "latencyMs": 400}]})");
  h.config(R"(  - name: slow
    source: {scope: project_feedback, project: WidgetPro, report: Slow}
    key: [ID]
    interval: 1h
)", "  max_in_flight: 1\n", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") == 1; }));
  std::this_thread::sleep_for(1s);
  d.signal(SIGTERM);
  auto code = d.wait(30s);
  INFO(d.err());
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(h.count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'slow'") +
            h.count("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'slow' AND n_live_tup > 0") == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") == 0);
}

TEST_CASE("daemon: SIGHUP with a broken file keeps the running configuration") {
  SyncHarness h;
  h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    interval: 2s
)", "", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") >= 1; }));
  std::ofstream(h.config_path(), std::ios::app) << "  - name: bad\n    source: {scope: nowhere, report: X}\n";
  d.signal(SIGHUP);
  REQUIRE(eventually([&] { return d.err().find("reload refused") != std::string::npos; }));
  CHECK_THAT(d.err(), Catch::Contains(h.config_path() + ":"));
  int64_t before = h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'");
  // Still running the old configuration.
  CHECK(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") > before; }));
  CHECK(d.running());
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
}

TEST_CASE("two daemons on one database run each due job exactly once") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Shared", "resultsPerPage": 5,
                    "synthetic": {"rows": 30, "seed": 9, "fields": ["string", "integer"]}})");
  h.put_faults(R"({"rules": [{"kind": "latency", "path": "Shared", "latencyMs": 300}]})");
  h.config(R"(  - name: shared
    source: {scope: project_feedback, project: WidgetPro, report: Shared}
    key: [ID]
    schedule: "0 3 * * *"
)", "  max_in_flight: 1\n", "daemon:\n  grace: 5s\n");
  ChildProcess a(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  ChildProcess b(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") >= 1; }, 40s));
  std::this_thread::sleep_for(2s);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE job = 'shared'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.shared") == 30);
  CHECK_THAT(a.err() + b.err(), Catch::Contains("advisory lock"));
  a.signal(SIGTERM);
  b.signal(SIGTERM);
  CHECK(a.wait(20s) == 0);
  CHECK(b.wait(20s) == 0);
}
