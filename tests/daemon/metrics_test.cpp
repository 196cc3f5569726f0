// Metrics as an alerting rule reads them: label names, which counters add up, freshness.
#include "support/source_root.h"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/version.h"
#include "daemon/metrics.h"

using namespace ccetl;

namespace {

// The value of the one series whose name and labels are exactly `series`; -1 when absent.
double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

// The sum of every sample of `name` (what PromQL's sum(name) gives).
double sum_of(const std::string& text, const std::string& name) {
  std::regex re("\n" + name + "(\\{[^}]*\\})? ([-0-9.e+]+)");
  double sum = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) sum += std::stod((*it)[2]);
  return sum;
}

RunCounts counts(int64_t read, int64_t inserted, int64_t updated, int64_t unchanged, int64_t deleted) {
  RunCounts c;
  c.pages = 1;
  c.rows_read = read;
  c.inserted = inserted;
  c.updated = updated;
  c.unchanged = unchanged;
  c.deleted = deleted;
  return c;
}

}  // namespace

TEST_CASE("metrics: every job series is labelled ccetl_job, never job", "[metrics]") {
  Metrics m;
  m.add_jobs({"scores"});
  m.record_run("scores", "succeeded", 2, counts(10, 10, 0, 0, 0), 1000);
  m.set_http(0, ClientStats{1, 0, 0, {{200, 1}}});
  m.set_ready(true, true);
  std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("ccetl_runs_total{ccetl_job=\"scores\",outcome=\"succeeded\"} 1"));
  CHECK_THAT(text, Catch::Contains("ccetl_run_duration_seconds_count{ccetl_job=\"scores\"} 1"));
  CHECK(text.find("{job=") == std::string::npos);
  CHECK(text.find(",job=") == std::string::npos);
  CHECK_THAT(text, Catch::Contains(std::string("ccetl_build_info{version=\"") + version() + "\"} 1"));
  CHECK(std::string(version()).find('.') != std::string::npos);
}

TEST_CASE("metrics: rows read and rows written are separate counters; sum() does not double count", "[metrics]") {
  Metrics m;
  m.record_run("a", "succeeded", 1, counts(10, 4, 3, 3, 2), 1000);
  m.record_run("b", "succeeded", 1, counts(5, 5, 0, 0, 0), 1000);
  std::string text = m.render();
  CHECK(sum_of(text, "ccetl_rows_read_total") == 15);
  CHECK(sum_of(text, "ccetl_rows_written_total") == 4 + 3 + 2 + 5);
  CHECK(sample(text, "ccetl_rows_written_total{ccetl_job=\"a\",outcome=\"deleted\"}") == 2);
  CHECK(sample(text, "ccetl_rows_unchanged_total{ccetl_job=\"a\"}") == 3);
  // The old mixed counter (read alongside what happened to the rows read) is gone.
  CHECK(text.find("ccetl_rows_total") == std::string::npos);
}

TEST_CASE("metrics: a run whose deletes were skipped is its own outcome and leaves freshness alone", "[metrics]") {
  Metrics m;
  m.add_jobs({"bugs"});
  CHECK(sample(m.render(), "ccetl_last_success_timestamp_seconds{ccetl_job=\"bugs\"}") == 0);
  m.record_run("bugs", "succeeded", 1, counts(10, 10, 0, 0, 0), 1000);
  RunCounts partial = counts(2, 0, 0, 2, 0);
  partial.messages = {"read 2 rows", std::string(kDeletesSkipped) + ": 8 of 10 live rows are missing"};
  REQUIRE(removals_skipped(partial.messages));
  m.record_run("bugs", "succeeded", 1, partial, 2000);
  RunCounts refresh;
  refresh.messages = {std::string(kRefreshSkipped) + ": the run is incomplete"};
  m.record_run("bugs", "succeeded", 1, refresh, 3000);
  std::string text = m.render();
  CHECK(sample(text, "ccetl_runs_total{ccetl_job=\"bugs\",outcome=\"succeeded\"}") == 1);
  CHECK(sample(text, "ccetl_runs_total{ccetl_job=\"bugs\",outcome=\"deletes_skipped\"}") == 2);
  CHECK(sample(text, "ccetl_last_success_timestamp_seconds{ccetl_job=\"bugs\"}") == 1000);
  m.record_run("bugs", "failed", 1, {}, 4000);
  CHECK(sample(m.render(), "ccetl_last_success_timestamp_seconds{ccetl_job=\"bugs\"}") == 1000);
}

TEST_CASE("metrics: freshness restored from the run history only moves forward", "[metrics]") {
  Metrics m;
  m.restore_last_complete({{"a", 500.5}});
  CHECK(sample(m.render(), "ccetl_last_success_timestamp_seconds{ccetl_job=\"a\"}") == 500.5);
  m.record_run("a", "succeeded", 1, {}, 900);
  m.restore_last_complete({{"a", 500.5}});
  CHECK(sample(m.render(), "ccetl_last_success_timestamp_seconds{ccetl_job=\"a\"}") == 900);
}

TEST_CASE("metrics: HTTP totals add up over API client generations (a reload does not reset them)", "[metrics]") {
  Metrics m;
  m.set_http(0, ClientStats{7, 2, 1, {{200, 6}, {429, 1}}});
  m.set_http(1, ClientStats{3, 0, 0, {{200, 3}}});  // the client made by a reload
  m.set_http(0, ClientStats{8, 2, 1, {{200, 7}, {429, 1}}});  // an old run still finishing
  std::string text = m.render();
  CHECK(sample(text, "ccetl_http_requests_total{status=\"200\"}") == 10);
  CHECK(sample(text, "ccetl_http_requests_total{status=\"429\"}") == 1);
  CHECK(sample(text, "ccetl_http_retries_total") == 2);
  CHECK(sample(text, "ccetl_http_throttled_total") == 1);
  CHECK(text.find("ccetl_ready") == std::string::npos);  // only the daemon knows readiness
}

TEST_CASE("metrics: the shipped alert rules use only series and labels ccetl exposes", "[metrics]") {
  std::string src = ccetl::test::source_root().string();
  std::ifstream in(src + "/deploy/prometheus/ccetl-alerts.yaml");
  REQUIRE(in);
  std::stringstream rules;
  rules << in.rdbuf();
  Metrics m;
  m.add_jobs({"j"});
  m.set_http(0, ClientStats{1, 0, 1, {{429, 1}}});
  m.set_ready(true, true);
  const std::string exposed = m.render();
  std::regex name_re("ccetl_[a-z_]+");
  const std::string text = rules.str();
  int names = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), name_re), end; it != end; ++it) {
    const std::string name = it->str();
    if (name == "ccetl_job") continue;  // the label
    INFO(name);
    CHECK(exposed.find("\n" + name) != std::string::npos);
    ++names;
  }
  CHECK(names >= 5);
  // Outcomes the rules select exist as series.
  for (const char* outcome : {"failed", "deletes_skipped"})
    CHECK_THAT(exposed, Catch::Contains(std::string("outcome=\"") + outcome + "\""));
  CHECK(text.find("{{ $labels.job }}") == std::string::npos);
}
