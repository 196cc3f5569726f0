// The status pages served by a running daemon (child process, real PostgreSQL, real simulator):
// one job succeeded, one failed with `<script>` and `&` in its error, one never run.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <vector>

#include "daemon/status_fixture.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;

namespace {

void check_safety_headers(const HttpResult& r) {
  INFO(r.body);
  CHECK(r.header("content-security-policy").rfind("default-src 'none'; style-src 'sha256-", 0) == 0);
  CHECK(r.header("content-security-policy").find("unsafe") == std::string::npos);
  CHECK(r.header("x-content-type-options") == "nosniff");
  CHECK(r.header("x-frame-options") == "DENY");
  CHECK(r.header("cache-control") == "no-store");
}

// Everything the server sends for `request` on a fresh connection, until it closes.
std::string raw_exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Each object of the JSON array `json`, as member name -> the member's value as minified JSON.
std::vector<std::map<std::string, std::string>> objects_of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  std::vector<std::map<std::string, std::string>> out;
  for (simdjson::dom::object obj : doc.get_array()) {
    auto& members = out.emplace_back();
    for (auto member : obj) members[std::string(member.key)] = simdjson::minify(member.value);
  }
  return out;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

size_t at(const std::string& body, const std::string& text) {
  auto p = body.find(text);
  INFO(text);
  REQUIRE(p != std::string::npos);
  return p;
}

}  // namespace

TEST_CASE("status page: GET / lists every job, failures first, errors escaped") {
  StatusDaemon d;
  HttpTestClient http = d.http();
  HttpResult r = http.get("/");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  check_safety_headers(r);
  const std::string& b = r.body;
  // Every job with its kind and status word; the failed one first, the never-run one last.
  size_t failed = at(b, "<tr class=\"failed\" id=\"job-broken_push\">");
  size_t ok = at(b, "<tr class=\"succeeded\" id=\"job-feedback_scores\">");
  size_t never = at(b, "<tr class=\"never\" id=\"job-waiting_job\">");
  CHECK(failed < ok);
  CHECK(ok < never);
  CHECK_THAT(b.substr(failed, ok - failed), Catch::Contains("<td>push</td>") && Catch::Contains(">failed</span>"));
  CHECK_THAT(b.substr(ok, never - ok), Catch::Contains("<td>pull</td>") && Catch::Contains(">succeeded</span>") &&
                                           Catch::Contains("cron &#39;0 3 * * *&#39; in UTC") &&
                                           Catch::Contains("ago</span>"));
  CHECK_THAT(b.substr(never), Catch::Contains(">never</span>") && Catch::Contains("<td>manual</td>"));
  // The error text reaches the page, escaped; no markup from it does.
  CHECK_THAT(b, Catch::Contains("&quot;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co&quot;"));
  CHECK(b.find("<script") == std::string::npos);
  CHECK(b.find(kKey) == std::string::npos);
  // Rows read / written of the successful run (5 rows, all new).
  CHECK_THAT(b.substr(ok, never - ok), Catch::Contains("<td class=\"num\">5</td><td class=\"num\">5</td>"));
  // The next run comes from the daemon's scheduler: tomorrow 03:00 UTC.
  CHECK_THAT(b.substr(ok, never - ok), Catch::Contains("T03:00:00Z\">"));
}

TEST_CASE("status page: GET /jobs/NAME shows runs, table, chart; unknown jobs 404; only GET") {
  StatusDaemon d;
  HttpTestClient http = d.http();
  HttpResult ok = http.get("/jobs/feedback_scores");
  REQUIRE(ok.status == 200);
  check_safety_headers(ok);
  CHECK_THAT(ok.body, Catch::Contains("<h1>feedback_scores <span class=\"badge b-succeeded\">succeeded</span>"));
  CHECK_THAT(ok.body, Catch::Contains("<td>centercode.feedback_scores</td><td class=\"num\">5</td>"));
  CHECK_THAT(ok.body, Catch::Contains("<svg") && Catch::Contains("Last 1 runs"));

  HttpResult failed = http.get("/jobs/broken_push");
  REQUIRE(failed.status == 200);
  CHECK_THAT(failed.body, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
  CHECK(failed.body.find("<script") == std::string::npos);
  CHECK_THAT(failed.body, Catch::Contains("ccetl.push_log"));

  HttpResult never = http.get("/jobs/waiting_job");
  REQUIRE(never.status == 200);
  CHECK_THAT(never.body, Catch::Contains("No runs yet") && Catch::Contains("not created yet"));

  HttpResult unknown = http.get("/jobs/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  CHECK(unknown.status == 404);
  check_safety_headers(unknown);
  CHECK_THAT(unknown.body, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(unknown.body.find("<script") == std::string::npos);
  CHECK(http.get("/jobs/nope").status == 404);
  CHECK(http.get("/api/jobs/nope").status == 404);
  CHECK(http.get("/nowhere").status == 404);

  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    for (const char* path : {"/", "/jobs/feedback_scores", "/api/jobs", "/api/jobs/feedback_scores"}) {
      HttpResult r = http.request(method, path, "{}", {{"Content-Type", "application/json"}});
      INFO(method << " " << path);
      CHECK(r.status == 405);
      CHECK(r.header("allow") == "GET, HEAD");
    }
  }
  // HEAD: the GET answer's headers, no body.
  std::string head = raw_exchange(d.port(), "HEAD /jobs/feedback_scores HTTP/1.1\r\nHost: x\r\n\r\n");
  INFO(head);
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK_THAT(head, Catch::Contains("Content-Length: " + std::to_string(ok.body.size()) + "\r\n"));
  CHECK(head.size() == head.find("\r\n\r\n") + 4);

  // Nothing changed: still one run of each.
  CHECK(d.harness().count("SELECT count(*) FROM ccetl.runs") == 2);
}

TEST_CASE("status page: GET /api/jobs is the `ccetl status --json` list; /api/jobs/NAME adds runs and tables") {
  StatusDaemon d;
  HttpTestClient http = d.http();
  HttpResult r = http.get("/api/jobs");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  check_safety_headers(r);
  // Valid JSON: every configured job once, in configuration order, with its state.
  simdjson::ondemand::parser parser;
  simdjson::padded_string text(r.body);
  std::vector<std::string> jobs, states;
  auto list = parser.iterate(text);
  for (auto item : list.get_array()) {
    auto obj = item.get_object();
    jobs.emplace_back(std::string_view(obj["job"].get_string()));
    states.emplace_back(std::string_view(obj["state"].get_string()));
  }
  CHECK(jobs == std::vector<std::string>{"feedback_scores", "broken_push", "waiting_job"});
  CHECK(states == std::vector<std::string>{"succeeded", "failed", "never"});
  CHECK_THAT(r.body, Catch::Contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 co"));
  CHECK_THAT(r.body, Catch::Contains("{\"job\": \"waiting_job\", \"last_run\": null, \"status\": null, "
                                     "\"last_success\": null, \"rows\": null, \"age_seconds\": null, \"error\": null"));
  CHECK(r.body.find(kKey) == std::string::npos);

  // `ccetl status --json` prints the same list: the same jobs in the same order, each with the
  // same members and the same values, except what depends on the moment or on the scheduler
  // (age_seconds; next_run, which the command, having no scheduler, leaves null).
  RunResult cli = run_binary("ccetl", {"status", "-c", d.harness().config_path(), "--json"});
  REQUIRE(cli.code == 0);
  CHECK_THAT(cli.out, Catch::Contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 co"));
  auto from_cli = objects_of(cli.out), from_api = objects_of(r.body);
  REQUIRE(from_api.size() == 3);
  REQUIRE(from_cli.size() == from_api.size());
  for (size_t i = 0; i < from_api.size(); ++i) {
    auto& api = from_api[i];
    auto& command = from_cli[i];
    INFO("job " << api["job"]);
    for (const char* member : {"job", "kind", "schedule", "status", "state", "rows", "rows_read", "rows_written",
                               "error", "last_run", "last_success", "finished_at", "duration_seconds", "stale",
                               "stale_at", "age_seconds", "next_run"})
      CHECK(api.count(member) == 1);
    std::vector<std::string> api_keys, command_keys;
    for (const auto& [k, v] : api) api_keys.push_back(k);
    for (const auto& [k, v] : command) command_keys.push_back(k);
    CHECK(command_keys == api_keys);
    for (const auto& [k, v] : api) {
      if (k == "age_seconds" || k == "next_run") continue;
      INFO("member " << k);
      CHECK(command[k] == v);
    }
    CHECK(command["next_run"] == "null");
    CHECK((command["age_seconds"] == "null") == (api["age_seconds"] == "null"));
  }
  // The values compared are the fixture's, not two equal blanks.
  CHECK(from_api[0]["kind"] == "\"pull\"");
  CHECK(from_api[0]["rows"] == "5");
  CHECK(from_api[0]["next_run"] != "null");  // the daemon's scheduler knows it
  CHECK(from_api[1]["kind"] == "\"push\"");
  CHECK(from_api[1]["status"] == "\"failed\"");
  CHECK_THAT(from_api[1]["error"], Catch::Contains("<script>alert(1)</script> & co"));
  CHECK(from_api[2]["schedule"] == "\"manual\"");

  HttpResult one = http.get("/api/jobs/feedback_scores");
  REQUIRE(one.status == 200);
  simdjson::padded_string one_text(one.body);
  auto doc = parser.iterate(one_text);
  auto obj = doc.get_object();
  CHECK(std::string_view(obj["job"].get_string()) == "feedback_scores");
  size_t runs = 0;
  for (auto run : obj["runs"].get_array()) {
    CHECK(std::string_view(run.get_object()["status"].get_string()) == "succeeded");
    ++runs;
  }
  CHECK(runs == 1);
  CHECK_THAT(one.body, Catch::Contains("{\"name\": \"centercode.feedback_scores\", \"rows\": 5, \"estimated\": false}"));
}

TEST_CASE("status page: a job page shows its newest 50 runs of 60, newest first") {
  StatusDaemon d;
  // waiting_job never runs by itself: these 60 are all its runs; run g started g hours ago and
  // read g rows, so runs 1..50 are the newest and 51..60 must not be shown.
  d.harness().query(
      "INSERT INTO ccetl.runs (job, status, started_at, finished_at, pages, rows_read, inserted, messages) "
      "SELECT 'waiting_job', CASE WHEN g % 7 = 0 THEN 'failed' ELSE 'succeeded' END, "
      "now() - g * interval '1 hour', now() - g * interval '1 hour' + interval '30 seconds', 1, g, g, 'run ' || g "
      "FROM generate_series(1, 60) g");
  REQUIRE(d.harness().count("SELECT count(*) FROM ccetl.runs WHERE job = 'waiting_job'") == 60);
  HttpTestClient http = d.http();

  HttpResult api = http.get("/api/jobs/waiting_job");
  REQUIRE(api.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(api.body);
  CHECK(std::string_view(doc["job"].get_string()) == "waiting_job");
  CHECK(int64_t(doc["rows"]) == 1);  // the summary's last run is the newest
  simdjson::dom::array runs = doc["runs"].get_array();
  REQUIRE(runs.size() == 50);
  std::string previous_start;
  int64_t n = 0;
  for (simdjson::dom::element run : runs) {
    ++n;
    INFO("run " << n);
    CHECK(int64_t(run["rows_read"]) == n);
    CHECK(std::string_view(run["messages"].get_string()) == "run " + std::to_string(n));
    std::string start(std::string_view(run["started_at"].get_string()));
    if (!previous_start.empty()) CHECK(start < previous_start);  // ISO 8601 UTC: text order is time order
    previous_start = start;
  }

  HttpResult page = http.get("/jobs/waiting_job");
  REQUIRE(page.status == 200);
  const std::string& b = page.body;
  CHECK_THAT(b, Catch::Contains("<h2>Last 50 runs</h2>"));
  CHECK(occurrences(b, "<tr><td><span class=\"badge b-") == 50);  // one table row per run
  CHECK(occurrences(b, "<rect ") == 50);                           // one chart bar per run
  CHECK_THAT(b, Catch::Contains(">50 rows</text>"));               // the chart's maximum: run 50's
  size_t last = 0;
  for (int g = 1; g <= 50; ++g) {
    size_t p = at(b, "<pre>run " + std::to_string(g) + "</pre>");
    CHECK(p > last);
    last = p;
  }
  for (int g = 51; g <= 60; ++g) CHECK(b.find("<pre>run " + std::to_string(g) + "</pre>") == std::string::npos);
}

TEST_CASE("status page: a locked ccetl.runs neither hangs the page nor delays /healthz") {
  StatusDaemon d;
  HttpTestClient http = d.http();
  pqxx::connection locker(d.harness().dsn());
  pqxx::work tx(locker);
  tx.exec("LOCK TABLE ccetl.runs IN ACCESS EXCLUSIVE MODE");
  std::atomic<bool> page_done{false};
  auto page = std::async(std::launch::async, [&] {
    HttpResult r = http.get("/");
    page_done = true;
    return r;
  });
  // The page's query is waiting for the lock ...
  REQUIRE(eventually([&] {
    return d.harness().count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                             "AND query LIKE '%WITH ORDINALITY%' AND pid <> pg_backend_pid()") > 0;
  }, 20s));
  // ... while the probes answer at once (they are not served by the page thread).
  CHECK(http.get("/healthz").status == 200);
  CHECK(http.get("/metrics").status == 200);
  CHECK_FALSE(page_done.load());
  // Pages queue behind it, at most kMaxQueuedPages (8, the one in progress included); more are
  // turned away at once with 503 instead of piling up.
  std::vector<std::future<HttpResult>> more;
  for (int i = 0; i < 9; ++i) more.push_back(std::async(std::launch::async, [&] { return http.get("/api/jobs"); }));
  // The statement timeout ends the wait: the page answers, listing the jobs under a notice.
  HttpResult r = page.get();
  tx.abort();
  int busy = 0;
  for (auto& f : more) {
    HttpResult m = f.get();
    if (m.status == 503 && m.header("retry-after") == "5") ++busy;
    else CHECK((m.status == 200 || m.status == 503));  // 503: its query timed out too
  }
  CHECK(busy >= 1);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("id=\"history-error\"") && Catch::Contains("statement timeout"));
  CHECK_THAT(r.body, Catch::Contains("id=\"job-feedback_scores\"") && Catch::Contains("id=\"job-waiting_job\""));
  // Once the lock is gone the page is whole again.
  CHECK(http.get("/api/jobs").status == 200);
  CHECK(http.get("/").body.find("history-error") == std::string::npos);
}

TEST_CASE("status page: an API key stored in ccetl.runs is masked on every route") {
  StatusDaemon d;
  // A run recorded by something that did not mask the key (an older version, a manual insert).
  d.harness().query("INSERT INTO ccetl.runs (job, status, started_at, finished_at, error, messages) VALUES "
                    "('feedback_scores', 'failed', now() - interval '1 day', now() - interval '1 day', "
                    "'401 for GET /x?apiKey=" + kKey + " (key " + kKey + ")', 'used " + kKey + "')");
  HttpTestClient http = d.http();
  for (const char* path : {"/jobs/feedback_scores", "/api/jobs/feedback_scores"}) {
    HttpResult r = http.get(path);
    INFO(path);
    REQUIRE(r.status == 200);
    CHECK_THAT(r.body, Catch::Contains("401 for GET /x?apiKey=***"));
    CHECK(r.body.find(kKey) == std::string::npos);
    CHECK(r.body.find(kKey.substr(kKey.size() - 20)) == std::string::npos);
  }
}
