// A fan-out job reads its projects concurrently under one in-flight budget (issue 15), and stays
// exact: rows, "last duplicate wins" within a project whatever order its pages complete in,
// deletes scoped per project, and a cancel that reaches every request in flight.
//
// Overlap is proven from the simulator's request log, not from durations: every answer is
// delayed (latency fault) by kLatencyMs, so a request is in flight at least kLatencyMs after it
// arrives; two requests of different projects that arrive less than kOverlapMs apart were in
// flight together. Reading projects one after another never does that.
#include <catch2/catch.hpp>

#include <simdjson.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

constexpr int kLatencyMs = 400;
constexpr int64_t kOverlapMs = 250;  // < kLatencyMs with a margin for the ms timestamps

const char* kFields = R"({"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"})";

// A package of `rows` (JSON rows), two rows a page.
std::string package(const std::string& project, const std::string& rows) {
  return R"({"path": "/projects/)" + project + R"(/feedbackDataPackages/Bugs", "resultsPerPage": 2, "fields": [)" +
         kFields + R"(], "rows": [)" + rows + "]}";
}

// `n` rows "<project>-<i>" with summary "s<i>".
std::string rows_of(const std::string& project, int n) {
  std::string out;
  for (int i = 1; i <= n; ++i)
    out += (i > 1 ? ", " : "") + std::string(R"([")") + project + "-" + std::to_string(i) + R"(", "s)" +
           std::to_string(i) + R"("])";
  return out;
}

// "2026-12-02T01:23:45.678Z" as milliseconds since the epoch (a run may span midnight).
int64_t epoch_ms(std::string_view ts) {
  auto num = [&](size_t pos, size_t len) { return std::stoi(std::string(ts.substr(pos, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  return static_cast<int64_t>(::timegm(&tm)) * 1000 + num(20, 3);
}

struct Logged {
  std::string project;  // from /projects/<project>/...
  int page = 1;
  int64_t at_ms = 0;
  std::string fault;
  int status = 0;
};

// The data-package requests of the simulator's log, oldest first.
std::vector<Logged> package_requests(SyncHarness& h) {
  simdjson::dom::parser parser;
  std::string body = h.admin().get("/_sim/requests").body;
  simdjson::dom::element log = parser.parse(body);
  std::vector<Logged> out;
  for (simdjson::dom::element r : log.get_array()) {
    std::string path(r["path"].get_string().value());
    if (path.find("/feedbackDataPackages/") == std::string::npos) continue;
    Logged l;
    const std::string prefix = "/api/v1/projects/";
    l.project = path.substr(prefix.size(), path.find('/', prefix.size()) - prefix.size());
    std::string query(r["query"].get_string().value());
    if (auto p = query.find("page="); p != std::string::npos) l.page = std::stoi(query.substr(p + 5));
    l.at_ms = epoch_ms(r["timestamp"].get_string().value());
    std::string_view fault;
    if (r["fault"].get(fault) == simdjson::SUCCESS) l.fault = std::string(fault);
    l.status = static_cast<int>(r["status"].get_int64().value());
    out.push_back(l);
  }
  return out;
}

// The most projects with a request that arrived within kOverlapMs of another's arrival, i.e.
// the most projects seen in flight at once; only requests of pages >= `min_page` count (2: the
// load pass only, whose concurrency the first pass's cannot stand in for).
size_t projects_in_flight_together(const std::vector<Logged>& log, int min_page = 1) {
  size_t most = 0;
  for (const auto& a : log) {
    if (a.page < min_page) continue;
    std::set<std::string> projects;
    for (const auto& b : log)
      if (b.page >= min_page && b.at_ms >= a.at_ms && b.at_ms - a.at_ms < kOverlapMs)
        projects.insert(b.project);
    most = std::max(most, projects.size());
  }
  return most;
}

size_t with_fault(const std::vector<Logged>& log, const std::string& fault) {
  size_t n = 0;
  for (const auto& l : log) n += l.fault.find(fault) != std::string::npos;
  return n;
}

std::string latency_everywhere() {
  return R"({"kind": "latency", "path": "/feedbackDataPackages/Bugs", "latencyMs": )" + std::to_string(kLatencyMs) +
         "}";
}

std::string job_yaml(const std::vector<std::string>& projects, const std::string& deletes = "hard") {
  std::string list;
  for (const auto& p : projects) list += (list.empty() ? "" : ", ") + p;
  return "  - name: bugs\n    source: {scope: project_feedback, report: Bugs}\n    projects: [" + list +
         "]\n    key: [ID]\n    deletes: " + deletes + "\n";
}

// Alpha, Beta, Gamma and Delta with 5 rows each, synced once by the job `bugs` under the
// `centercode` settings given; the configuration, for the test's later runs.
Config seeded_four_projects(SyncHarness& h, const std::string& centercode_settings) {
  const std::vector<std::string> projects{"Alpha", "Beta", "Gamma", "Delta"};
  for (const auto& p : projects) h.put_dataset(package(p, rows_of(p, 5)));
  Config config = h.config(job_yaml(projects), centercode_settings);
  REQUIRE(h.run(config, "bugs").succeeded);
  REQUIRE(h.count("SELECT count(*) FROM centercode.bugs") == 20);
  return config;
}

std::string table_text(SyncHarness& h) {
  return h.query("SELECT coalesce(string_agg(project_key || '/' || id || '=' || summary, ',' "
                 "ORDER BY project_key, id), '') FROM centercode.bugs")[0][0]
      .c_str();
}

}  // namespace

TEST_CASE("concurrent fan-out: projects are in flight together, under one budget, and rows are exact",
          "[fanout][concurrent]") {
  SyncHarness h;
  const std::vector<std::string> projects{"P1", "P2", "P3", "P4", "P5", "P6"};
  std::string expected;
  for (const auto& p : projects) {
    h.put_dataset(package(p, rows_of(p, 5)));  // 3 pages: 2 + 2 + 1 rows
    for (int i = 1; i <= 5; ++i)
      expected += (expected.empty() ? "" : ",") + p + "/" + p + "-" + std::to_string(i) + "=s" + std::to_string(i);
  }
  h.put_faults(R"({"rules": [)" + latency_everywhere() + "]}");
  Config config = h.config(job_yaml(projects), "  max_in_flight: 4\n");
  JobOutcome run = h.run(config, "bugs");
  INFO(run.summary() << " " << run.error);
  REQUIRE(run.succeeded);
  CHECK(table_text(h) == expected);
  CHECK(run.counts.rows_read == 30);
  CHECK(run.counts.pages == 18);

  const auto log = package_requests(h);
  CHECK(log.size() == 18);  // each page once: page 1 parked between the passes, not fetched twice
  CHECK(with_fault(log, "latency") == log.size());
  // Read one after another, no two projects were ever in flight together: in the first pass
  // (page 1 of each) and in the load pass (pages 2 and 3) alike.
  CHECK(projects_in_flight_together(log) >= 3);
  CHECK(projects_in_flight_together(log, 2) >= 3);
  // One budget for the run: never more than max_in_flight requests in flight at once (a
  // request arriving within the latency of kLatencyMs - margin of another overlaps it).
  size_t most = 0;
  for (const auto& a : log) {
    size_t n = 0;
    for (const auto& b : log) n += b.at_ms >= a.at_ms && b.at_ms - a.at_ms < kOverlapMs;
    most = std::max(most, n);
  }
  CHECK(most <= 4);
}

TEST_CASE("concurrent fan-out: the last duplicate of a project wins even when its pages complete out of order",
          "[fanout][concurrent]") {
  SyncHarness h;
  // K1 appears on every page of each project; its last appearance (page 3) must win.
  auto dup_package = [](const std::string& p, const std::string& tag) {
    return package(p, R"(["K1", ")" + tag + R"(1"], ["K2", "a"], ["K1", ")" + tag + R"(2"], ["K3", "b"], ["K1", ")" + tag +
                          R"(3"])");
  };
  h.put_dataset(dup_package("Alpha", "v"));
  h.put_dataset(dup_package("Beta", "v"));
  Config config = h.config(job_yaml({"Alpha", "Beta"}), "  max_in_flight: 6\n");
  // Into a new table (COPY order decides) and through staging (_seq decides).
  const bool resync = GENERATE(false, true);
  if (resync) {
    REQUIRE(h.run(config, "bugs").succeeded);
    h.put_dataset(dup_package("Alpha", "w"));
    h.put_dataset(dup_package("Beta", "w"));
  }
  const std::string tag = resync ? "w" : "v";
  // Alpha's page 2 is answered long after its page 3 and after Beta's pages.
  const size_t before = package_requests(h).size();
  h.put_faults(R"({"rules": [{"kind": "latency", "path": "/projects/Alpha/", "page": 2, "latencyMs": 1500}]})");
  JobOutcome run = h.run(config, "bugs");
  INFO(run.summary() << " " << run.error << (resync ? " (resync)" : " (first load)"));
  REQUIRE(run.succeeded);
  CHECK(table_text(h) == "Alpha/K1=" + tag + "3,Alpha/K2=a,Alpha/K3=b,Beta/K1=" + tag + "3,Beta/K2=a,Beta/K3=b");

  // The injection fired, and Alpha's page 3 was answered before its page 2: it arrived well
  // within the 1500 ms that page 2's answer was held.
  const auto log = package_requests(h);
  const Logged* page2 = nullptr;
  const Logged* page3 = nullptr;
  for (size_t i = before; i < log.size(); ++i) {
    if (log[i].project != "Alpha") continue;
    if (log[i].page == 2) page2 = &log[i];
    if (log[i].page == 3) page3 = &log[i];
  }
  REQUIRE(page2);
  REQUIRE(page3);
  CHECK(page2->fault == "latency");
  CHECK(page3->at_ms - page2->at_ms < 1000);
}

TEST_CASE("concurrent fan-out: deletes apply per project; a vanished or incomplete project loses no rows",
          "[fanout][concurrent]") {
  SyncHarness h;
  Config config = seeded_four_projects(h, "  max_in_flight: 6\n");
  const std::string before = table_text(h);
  REQUIRE(h.count("SELECT count(*) FROM centercode.bugs") == 20);

  // Alpha really lost Alpha-5. Beta lost rows and changed one too, but its page 2 answers 404
  // (it vanished while read): skipped, nothing of it applied. Gamma's pages shift under the
  // read (a row vanishes before page 2 while the totals stay stale): one row is never seen, so
  // its read is incomplete and none of its rows may be deleted. Delta is unchanged.
  h.put_dataset(package("Alpha", rows_of("Alpha", 4)));
  h.put_dataset(package("Beta", R"(["Beta-1", "changed"], ["Beta-2", "s2"], ["Beta-3", "s3"])"));
  const size_t logged = package_requests(h).size();
  h.put_faults(R"({"rules": [)" + latency_everywhere() +
               R"(, {"kind": "error", "status": 404, "path": "/projects/Beta/", "page": 2},
                  {"kind": "rows_delete", "path": "/projects/Gamma/", "page": 2, "count": 1, "staleTotals": true}]})");
  JobOutcome run = h.run(config, "bugs");
  INFO(run.summary() << " " << run.error);
  REQUIRE(run.succeeded);

  CHECK(run.skipped_projects == std::vector<std::string>{"Beta"});
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Alpha'") == 4);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Alpha' AND id = 'Alpha-5'") == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Beta'") == 5);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Beta' AND summary = 'changed'") == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Gamma'") == 5);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE project_key = 'Delta'") == 5);
  CHECK(run.counts.deleted == 1);
  CHECK_THAT(h.query("SELECT coalesce(messages, '') FROM ccetl.runs WHERE run_id = '" + run.run_id + "'")[0][0].c_str(),
             Catch::Contains("deletes skipped for project 'Gamma'"));

  // The faults fired, and the projects were read concurrently.
  auto log = package_requests(h);
  log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(logged));
  bool beta_404 = false;
  for (const auto& l : log) beta_404 = beta_404 || (l.project == "Beta" && l.page == 2 && l.status == 404);
  CHECK(beta_404);
  CHECK(projects_in_flight_together(log) >= 2);
}

TEST_CASE("concurrent fan-out: a cancel aborts every request in flight, of every project", "[fanout][concurrent]") {
  SyncHarness h;
  // request_timeout 300 s: only the cancel can end a held request within the test's bounds.
  Config config = seeded_four_projects(h, "  max_in_flight: 4\n  request_timeout: 300s\n");
  const std::string before = table_text(h);
  h.put_dataset(package("Alpha", rows_of("Alpha", 4)));

  // Every page 2 is held without an answer: the run waits with several projects in flight.
  h.put_faults(R"({"rules": [{"kind": "hang", "path": "/feedbackDataPackages/Bugs", "page": 2}]})");
  CancelToken stop;
  ClientOptions client_options = client_options_for(config.centercode);
  client_options.cancel = &stop;
  auto client = make_client(client_options);
  auto warehouse = connect_warehouse(h.dsn());
  RunOptions options;
  options.cancel = &stop.flag();
  options.stop = &stop;
  JobOutcome run;
  std::atomic<bool> done{false};
  std::thread runner([&] {
    run = run_pull_job(config, *config.find_job("bugs"), *client, *warehouse, options);
    done = true;
  });
  // Wait (bounded) until page 2 of at least two projects is held.
  std::set<std::string> held;
  for (int i = 0; i < 300 && held.size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    held.clear();
    for (const auto& l : package_requests(h))
      if (l.page == 2 && l.fault == "hang") held.insert(l.project);
  }
  stop.cancel();
  for (int i = 0; i < 600 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const bool ended = done.load();
  if (!ended) {  // a broken cancel: fail, and end the held requests so that the test ends
    FAIL_CHECK("the run did not end within 60 s of the cancel");
    ::kill(h.sim().pid(), SIGKILL);
  }
  runner.join();
  INFO(run.summary() << " " << run.error);
  CHECK(held.size() >= 2);
  CHECK(ended);
  CHECK_FALSE(run.succeeded);
  CHECK_THAT(run.error, Catch::StartsWith("run cancelled"));
  CHECK(table_text(h) == before);
  CHECK(h.query("SELECT status FROM ccetl.runs WHERE run_id = '" + run.run_id + "'")[0][0].c_str() ==
        std::string("failed"));
}

TEST_CASE("concurrent fan-out: without a usable temporary directory page 1 is fetched again, rows exact",
          "[fanout][concurrent][spool]") {
  SyncHarness h;
  const std::vector<std::string> projects{"Alpha", "Beta"};
  for (const auto& p : projects) h.put_dataset(package(p, rows_of(p, 5)));
  Config config = h.config(job_yaml(projects), "  max_in_flight: 4\n");
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", "/nonexistent-ccetl-spool-dir", 1);
  JobOutcome run = h.run(config, "bugs");
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  INFO(run.summary() << " " << run.error);
  REQUIRE(run.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 10);
  CHECK(run.counts.rows_read == 10);
  size_t page1 = 0;
  for (const auto& l : package_requests(h)) page1 += l.page == 1;
  CHECK(page1 == 4);  // each project's page 1 twice: first pass, then again for the load
}
