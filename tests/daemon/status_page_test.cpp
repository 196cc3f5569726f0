// Rendering of the status pages and their JSON as pure functions of a snapshot: escaping,
// order, ages, staleness, masking, the CSP hash. (The daemon serving them: status_site_test.cpp;
// a real browser: status_browser_test.cpp.)
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "daemon/html.h"
#include "daemon/status_chart.h"
#include "daemon/status_data.h"
#include "daemon/status_json.h"
#include "daemon/status_model.h"
#include "daemon/status_page.h"

using namespace ccetl;

namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

RunRecord run(const std::string& status, double started, std::optional<double> finished, int64_t rows = 0,
              std::string error = "") {
  RunRecord r;
  r.status = status;
  r.started = started;
  r.finished = finished;
  r.rows_read = rows;
  r.inserted = rows;
  r.error = std::move(error);
  return r;
}

JobSummary job(const std::string& name, std::optional<RunRecord> last, std::optional<double> last_success = {},
               std::optional<int64_t> stale_at = {}) {
  JobSummary j;
  j.job = name;
  j.kind = "pull";
  j.schedule = "cron '0 3 * * *' in UTC";
  j.last_run = std::move(last);
  j.last_success = last_success;
  j.stale_at = stale_at;
  return j;
}

size_t pos(const std::string& html, const std::string& name) {
  auto p = html.find("id=\"job-" + name + "\"");
  REQUIRE(p != std::string::npos);
  return p;
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

}  // namespace

TEST_CASE("status page: html_escape replaces every markup character") {
  CHECK(html_escape("<a href=\"x\" title='y'>&amp;</a>") ==
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  CHECK(html_escape("plain ü text") == "plain ü text");
  std::string out;
  CHECK(url_segment_unescape("a%3Cb%3e_c", out));
  CHECK(out == "a<b>_c");
  CHECK_FALSE(url_segment_unescape("bad%2", out));
  CHECK_FALSE(url_segment_unescape("bad%zz", out));
  CHECK(url_segment_escape("a<b c") == "a%3Cb%20c");
}

TEST_CASE("status page: texts from data are escaped in the overview, the job page, the chart and the JSON") {
  const std::string evil = "relation \"<script>alert(1)</script> & co\" does not exist <img src=x onerror=alert(2)>";
  StatusSnapshot snap;
  snap.now = kNow;
  snap.jobs.push_back(job("broken", run("failed", kNow - 60, kNow - 50, 0, evil)));
  snap.history_error = "<b>db</b> & more";
  std::string html = render_overview(snap);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>db") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
  CHECK_THAT(html, Catch::Contains("&lt;b&gt;db&lt;/b&gt; &amp; more"));

  JobDetail d;
  d.now = kNow;
  d.summary = snap.jobs[0];
  d.runs = {*snap.jobs[0].last_run};
  d.runs[0].messages = "note <script>x</script>";
  d.tables = {{"centercode.<script>", 3, false}};
  std::string page = render_job_page(d);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK_THAT(page, Catch::Contains("note &lt;script&gt;x&lt;/script&gt;"));
  CHECK_THAT(page, Catch::Contains("centercode.&lt;script&gt;"));
  CHECK_THAT(page, Catch::Contains("<svg"));

  std::string json = status_list_json(snap) + job_detail_json(d);
  CHECK(json.find('<') == std::string::npos);
  CHECK_THAT(json, Catch::Contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 co"));
  CHECK(json_quote("a\"b\\c\nd<") == "\"a\\\"b\\\\c\\nd\\u003c\"");
}

TEST_CASE("status page: failed jobs first, then stale ones, then the rest, by name") {
  StatusSnapshot snap;
  snap.now = kNow;
  snap.jobs.push_back(job("a_fresh", run("succeeded", kNow - 100, kNow - 90), kNow - 90, kNow + 3600));
  snap.jobs.push_back(job("b_never", std::nullopt));
  snap.jobs.push_back(job("c_stale", run("succeeded", kNow - 90000, kNow - 89000), kNow - 89000, kNow - 10));
  snap.jobs.push_back(job("d_failed", run("failed", kNow - 60, kNow - 50, 0, "boom"), kNow - 89000, kNow - 10));
  snap.jobs.push_back(job("e_abandoned", run("abandoned", kNow - 60, kNow - 50)));
  snap.jobs.push_back(job("f_running", run("running", kNow - 5, std::nullopt)));

  std::string html = render_overview(snap);
  CHECK(pos(html, "d_failed") < pos(html, "e_abandoned"));
  CHECK(pos(html, "e_abandoned") < pos(html, "c_stale"));
  CHECK(pos(html, "c_stale") < pos(html, "a_fresh"));
  CHECK(pos(html, "a_fresh") < pos(html, "b_never"));
  CHECK(pos(html, "b_never") < pos(html, "f_running"));

  // The four status words, and the stale mark on the stale job's row only.
  CHECK_THAT(html, Catch::Contains(">failed</span>") && Catch::Contains(">succeeded</span>") &&
                       Catch::Contains(">never</span>") && Catch::Contains(">running</span>"));
  CHECK_THAT(html, Catch::Contains("<tr class=\"succeeded stale\" id=\"job-c_stale\">"));
  CHECK_THAT(html, Catch::Contains("<tr class=\"succeeded\" id=\"job-a_fresh\">"));
  CHECK_THAT(html, Catch::Contains("<tr class=\"failed stale\" id=\"job-d_failed\">"));
  CHECK_THAT(html, Catch::Contains("2 failed · 2 stale · 1 never run"));

  // The JSON keeps the snapshot's (configuration) order and says the same.
  std::string json = status_list_json(snap);
  CHECK(json.find("\"a_fresh\"") < json.find("\"b_never\""));
  CHECK_THAT(json, Catch::Contains("\"job\": \"c_stale\"") && Catch::Contains("\"state\": \"succeeded\", \"stale\": true"));
  CHECK_THAT(json, Catch::Contains("\"job\": \"e_abandoned\", \"last_run\": \"2027-01-15T07:59:00Z\", \"status\": \"abandoned\""));
  CHECK_THAT(json, Catch::Contains("\"state\": \"failed\", \"stale\": false"));  // e_abandoned
}

TEST_CASE("status page: ages, durations and times") {
  CHECK(age_text(0) == "0s");
  CHECK(age_text(-5) == "0s");
  CHECK(age_text(119) == "119s");
  CHECK(age_text(120) == "2m");
  CHECK(age_text(7199) == "119m");
  CHECK(age_text(7200) == "2h");
  CHECK(age_text(172799) == "47h");
  CHECK(age_text(172800) == "2d");
  CHECK(duration_text(0.42) == "420 ms");
  CHECK(duration_text(4.24) == "4.2 s");
  CHECK(duration_text(12.9) == "12 s");
  CHECK(duration_text(245) == "4m 05s");
  CHECK(duration_text(7380) == "2h 03m");
  CHECK(iso_utc(kNow + 0.9) == "2027-01-15T08:00:00Z");

  StatusSnapshot snap;
  snap.now = kNow;
  snap.jobs.push_back(job("old", run("succeeded", kNow - 3 * 86400 - 30, kNow - 3 * 86400), kNow - 3 * 86400));
  snap.jobs.back().next_run = kNow + 600;
  snap.jobs.push_back(job("new", run("succeeded", kNow - 60, kNow - 45), kNow - 45));
  std::string html = render_overview(snap);
  CHECK_THAT(html, Catch::Contains("3d ago") && Catch::Contains("45s ago") && Catch::Contains("in 10m"));
  CHECK_THAT(html, Catch::Contains("<time datetime=\"2027-01-15T08:10:00Z\">2027-01-15 08:10</time>"));
  std::string json = status_list_json(snap);
  CHECK_THAT(json, Catch::Contains("\"age_seconds\": 259200") && Catch::Contains("\"age_seconds\": 45"));
  CHECK_THAT(json, Catch::Contains("\"next_run\": \"2027-01-15T08:10:00Z\""));
  CHECK_THAT(json, Catch::Contains("\"duration_seconds\": 15.000"));
}

TEST_CASE("status page: a job is stale once its schedule passed two fire times since the last success") {
  JobSpec cron;
  cron.name = "c";
  cron.schedule = "*/15 * * * *";
  // Last success 08:05 -> fire times 08:15 and 08:30 -> stale from 08:35 (grace 5 min).
  auto at = stale_at(cron, "UTC", kNow + 5 * 60 + 0.5);
  REQUIRE(at);
  CHECK(*at == kNow + 35 * 60);
  JobSpec every;
  every.name = "e";
  every.interval = std::chrono::hours(1);
  CHECK(stale_at(every, "UTC", kNow) == kNow + 2 * 3600 + kStaleGrace);
  JobSpec manual;
  manual.name = "m";
  CHECK_FALSE(stale_at(manual, "UTC", kNow));
  JobSpec after = manual;
  after.after = {"c"};
  CHECK_FALSE(stale_at(after, "UTC", kNow));
  CHECK(schedule_text(manual, "UTC") == "manual");
  CHECK(schedule_text(after, "UTC") == "after c");
  CHECK(schedule_text(cron, "Europe/Berlin") == "cron '*/15 * * * *' in Europe/Berlin");
  CHECK(schedule_text(every, "UTC") == "every 1h");
  every.interval = std::chrono::seconds(90);
  CHECK(schedule_text(every, "UTC") == "every 90s");

  JobSummary j = job("j", run("succeeded", kNow - 10, kNow - 5), kNow - 5, kNow + 100);
  CHECK_FALSE(j.stale(kNow + 99));
  CHECK(j.stale(kNow + 100));
}

TEST_CASE("status page: a job's kind is pull, lookup or push, shown on every view") {
  JobSpec pull;
  pull.name = "p";
  pull.source = SourceSpec{};
  pull.source->report = "FeedbackScores";
  JobSpec lookup = pull;
  lookup.name = "l";
  lookup.source->report.clear();
  lookup.source->lookup = "users";
  JobSpec push;
  push.name = "s";
  push.push = PushSpec{};
  CHECK(job_kind(pull) == "pull");
  CHECK(job_kind(lookup) == "lookup");
  CHECK(job_kind(push) == "push");

  Config config;
  config.jobs = {pull, lookup, push};
  StatusSnapshot snap;
  snap.now = kNow;
  for (const auto& spec : config.jobs) snap.jobs.push_back(summary_of(spec, config));
  const std::string html = render_overview(snap);
  CHECK_THAT(html.substr(pos(html, "l"), pos(html, "p") - pos(html, "l")), Catch::Contains("<td>lookup</td>"));
  CHECK_THAT(status_list_json(snap), Catch::Contains("{\"job\": \"l\"") &&
                                         Catch::Contains("\"kind\": \"lookup\", \"schedule\": \"manual\""));
  JobDetail detail;
  detail.now = kNow;
  detail.summary = snap.jobs[1];
  CHECK_THAT(render_job_page(detail), Catch::Contains("<dt>Kind</dt><dd>lookup</dd>"));
  CHECK_THAT(job_detail_json(detail), Catch::Contains("\"kind\": \"lookup\""));
}

TEST_CASE("status page: API keys in run texts are masked") {
  RunRecord r = run("failed", kNow, kNow, 0, "401 for GET /x?apiKey=abc123 with key k-SECRET-1 and k-JOB-2");
  r.messages = "retrying with k-JOB-2";
  redact_run(r, {"k-SECRET-1", "k-JOB-2"});
  CHECK(r.error.find("k-SECRET-1") == std::string::npos);
  CHECK(r.error.find("k-JOB-2") == std::string::npos);
  CHECK(r.error.find("abc123") == std::string::npos);
  CHECK(r.messages.find("k-JOB-2") == std::string::npos);
  CHECK_THAT(r.error, Catch::Contains("***"));
}

TEST_CASE("status page: the CSP allows exactly the page's one style and nothing else") {
  const std::string& csp = status_page_csp();
  CHECK(csp.rfind("default-src 'none';", 0) == 0);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(csp.find("script-src") == std::string::npos);
  std::string html = render_overview(StatusSnapshot{kNow, {}, ""});
  auto open = html.find("<style>"), close = html.find("</style>");
  REQUIRE(open != std::string::npos);
  REQUIRE(close != std::string::npos);
  CHECK(html.find("<style", open + 1) == std::string::npos);  // one style element
  CHECK(html.find(" style=") == std::string::npos);             // no style attributes
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<form") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("<meta http-equiv=\"refresh\""));
  // The hash, computed independently by openssl.
  auto file = std::filesystem::temp_directory_path() / ("ccetl-style-" + std::to_string(::getpid()) + ".css");
  std::ofstream(file, std::ios::binary) << html.substr(open + 7, close - open - 7);
  std::string digest = shell("openssl dgst -sha256 -binary " + file.string() + " | base64 -w0");
  std::filesystem::remove(file);
  REQUIRE(digest.size() == 44);
  CHECK_THAT(csp, Catch::Contains("style-src 'sha256-" + digest + "'"));
}

TEST_CASE("status page: the chart has one bar per run and a rows line; none without runs") {
  CHECK(run_chart_svg({}, kNow).empty());
  std::vector<RunRecord> runs{run("succeeded", kNow - 100, kNow - 90, 50), run("failed", kNow - 200, kNow - 150, 0),
                              run("succeeded", kNow - 300, kNow - 280, 20)};
  std::string svg = run_chart_svg(runs, kNow);
  size_t bars = 0;
  for (size_t p = svg.find("<rect"); p != std::string::npos; p = svg.find("<rect", p + 1)) ++bars;
  CHECK(bars == 3);
  CHECK_THAT(svg, Catch::Contains("<polyline") && Catch::Contains("50 rows") && Catch::Contains("fill=\"#cf222e\""));
  CHECK(svg.find("style=") == std::string::npos);
}

TEST_CASE("status page: job page lists runs, tables and a missing table") {
  JobDetail d;
  d.now = kNow;
  d.summary = job("feedback", run("succeeded", kNow - 100, kNow - 90, 5), kNow - 90);
  d.runs = {*d.summary.last_run};
  d.tables = {{"centercode.feedback", 5, false}, {"centercode.big", 2'500'000, true}, {"centercode.later", {}, false}};
  std::string page = render_job_page(d);
  CHECK_THAT(page, Catch::Contains("<td>centercode.feedback</td><td class=\"num\">5</td>"));
  CHECK_THAT(page, Catch::Contains("≈ 2,500,000"));
  CHECK_THAT(page, Catch::Contains("not created yet"));
  CHECK_THAT(page, Catch::Contains("Last 1 runs"));
  CHECK_THAT(page, Catch::Contains("href=\"/api/jobs/feedback\""));
  std::string json = job_detail_json(d);
  CHECK_THAT(json, Catch::Contains("\"runs\": [") && Catch::Contains("\"tables\": [{\"name\": \"centercode.feedback\", \"rows\": 5"));
  CHECK_THAT(json, Catch::Contains("{\"name\": \"centercode.later\", \"rows\": null, \"estimated\": false}"));
}

TEST_CASE("status data: the page's connection gets a connect_timeout in the DSN's own syntax") {
  CHECK(with_connect_timeout("host=db dbname=w", 5) == "host=db dbname=w connect_timeout=5");
  CHECK(with_connect_timeout("", 5) == "connect_timeout=5");
  CHECK(with_connect_timeout("postgresql://u@db/w", 5) == "postgresql://u@db/w?connect_timeout=5");
  CHECK(with_connect_timeout("postgres://u@db/w?sslmode=require", 5) ==
        "postgres://u@db/w?sslmode=require&connect_timeout=5");
  CHECK(with_connect_timeout("host=db connect_timeout=2", 5) == "host=db connect_timeout=2");
}
