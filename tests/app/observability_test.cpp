// What monitoring reads from `ccetl run`: the --metrics-file textfile, JSON log lines, and the
// priority prefixes journald files lines by.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/child_process.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

std::string bugs_dataset(int rows) {
  std::string out = R"({"path": "/projects/WidgetPro/feedbackDataPackages/Bugs", "resultsPerPage": 4,
    "fields": [{"name": "ID", "dataType": "string"}, {"name": "Score", "dataType": "integer"}], "rows": [)";
  for (int i = 1; i <= rows; ++i) out += (i > 1 ? "," : "") + std::string("[\"BUG-") + std::to_string(i) + "\", " + std::to_string(i) + "]";
  return out + "]}";
}

const char* kJobs = R"(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: hard
  - name: broken
    source: {scope: project_feedback, project: WidgetPro, report: DoesNotExist}
)";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

// Runs ccetl with JOURNAL_STREAM naming the device and inode of its own stderr, as systemd does
// for a unit whose StandardError is the journal.
RunResult run_as_journald_would(const std::vector<std::string>& args) {
  std::vector<std::string> sh = {"-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\"",
                                 build_binary("ccetl")};
  sh.insert(sh.end(), args.begin(), args.end());
  ChildProcess child("/bin/sh", sh);
  auto code = child.wait(std::chrono::seconds(120));
  return RunResult{code.value_or(-1), child.out(), child.err()};
}

}  // namespace

TEST_CASE("ccetl run --metrics-file: a textfile per run; freshness from ccetl.runs; skipped deletes are their own outcome") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(10));
  h.config(kJobs);
  const auto file = h.dir() / "ccetl.prom";
  RunResult first = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "bugs", "--metrics-file", file.string()});
  INFO(first.err);
  REQUIRE(first.code == 0);
  std::string text = slurp(file);
  INFO(text);
  CHECK(sample(text, "ccetl_runs_total{ccetl_job=\"bugs\",outcome=\"succeeded\"}") == 1);
  CHECK(sample(text, "ccetl_rows_read_total{ccetl_job=\"bugs\"}") == 10);
  CHECK(sample(text, "ccetl_rows_written_total{ccetl_job=\"bugs\",outcome=\"inserted\"}") == 10);
  CHECK(sample(text, "ccetl_http_requests_total{status=\"200\"}") >= 3);
  CHECK_THAT(text, Catch::Contains("ccetl_build_info{version=\""));
  const double synced = h.query("SELECT extract(epoch FROM finished_at)::float8 FROM ccetl.runs")[0][0].as<double>();
  CHECK(sample(text, "ccetl_last_success_timestamp_seconds{ccetl_job=\"bugs\"}") == Approx(synced).margin(1e-3));
  for (const auto& entry : std::filesystem::directory_iterator(h.dir()))
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);  // written via rename

  // 8 of the 10 rows vanish: more than max_delete_ratio, so the run loads and deletes nothing.
  h.put_dataset(bugs_dataset(2));
  RunResult second = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "bugs", "--metrics-file", file.string()});
  REQUIRE(second.code == 0);
  REQUIRE_THAT(second.err, Catch::Contains("deletes skipped"));
  text = slurp(file);
  CHECK(sample(text, "ccetl_runs_total{ccetl_job=\"bugs\",outcome=\"deletes_skipped\"}") == 1);
  CHECK(sample(text, "ccetl_runs_total{ccetl_job=\"bugs\",outcome=\"succeeded\"}") == 0);
  // Freshness is still the first, complete sync, read back from ccetl.runs by this new process.
  CHECK(sample(text, "ccetl_last_success_timestamp_seconds{ccetl_job=\"bugs\"}") == Approx(synced).margin(1e-3));

  RunResult unwritable = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "bugs", "--metrics-file",
                                              (h.dir() / "missing-dir" / "x.prom").string()});
  CHECK(unwritable.code == 2);
  CHECK_THAT(unwritable.err, Catch::Contains("--metrics-file") && Catch::Contains("missing-dir"));
}

TEST_CASE("--log-format json: stderr holds JSON objects only, also for failures, warnings and config errors") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(10));
  h.config(kJobs);
  REQUIRE(run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "bugs"}).code == 0);
  h.put_dataset(bugs_dataset(2));  // the next run warns: deletes skipped
  RunResult r = run_binary("ccetl", {"--log-format", "json", "run", "-c", h.config_path()});
  CHECK(r.code == 1);
  std::ofstream(h.dir() / "bad.yaml") << "centercode:\n  base_url: https://c.example/api/v1\njobs: []\n";
  RunResult bad = run_binary("ccetl", {"--log-format", "json", "run", "-c", (h.dir() / "bad.yaml").string()});
  CHECK(bad.code == 2);
  simdjson::dom::parser parser;
  int errors = 0, warnings = 0;
  for (const auto& line : lines_of(r.err + bad.err)) {
    INFO(line);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    std::string_view level, msg;
    REQUIRE(doc["level"].get(level) == simdjson::SUCCESS);
    REQUIRE(doc["msg"].get(msg) == simdjson::SUCCESS);
    if (level == "error") ++errors;
    if (level == "warning" && msg.find("deletes skipped") != std::string_view::npos) ++warnings;
  }
  CHECK_THAT(r.err, Catch::Contains("job 'broken' failed"));
  CHECK_THAT(bad.err, Catch::Contains("bad.yaml:"));
  CHECK(errors >= 2);
  CHECK(warnings >= 1);
}

TEST_CASE("under journald (JOURNAL_STREAM is stderr) every line carries its syslog priority") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(3));
  h.config(kJobs);
  RunResult r = run_as_journald_would({"--log-level", "info", "run", "-c", h.config_path()});
  INFO(r.err);
  CHECK(r.code == 1);
  auto lines = lines_of(r.err);
  REQUIRE(lines.size() >= 3);
  int info = 0, error = 0;
  for (const auto& line : lines) {
    INFO(line);
    REQUIRE(line.size() > 3);
    CHECK(line[0] == '<');
    CHECK(line[2] == '>');
    if (line.rfind("<6>", 0) == 0) ++info;
    if (line.rfind("<3>", 0) == 0 && line.find("job 'broken' failed") != std::string::npos) ++error;
  }
  CHECK(info >= 1);
  CHECK(error >= 1);

  // JSON under journald: journald strips the prefix, the rest of the line is the JSON object.
  RunResult json = run_as_journald_would({"--log-format", "json", "run", "-c", h.config_path()});
  simdjson::dom::parser parser;
  for (const auto& line : lines_of(json.err)) {
    INFO(line);
    REQUIRE(line.rfind("<", 0) == 0);
    simdjson::dom::element doc;
    CHECK(parser.parse(line.substr(3)).get(doc) == simdjson::SUCCESS);
  }

  // A JOURNAL_STREAM inherited by a process whose stderr goes elsewhere: no prefixes.
  RunResult elsewhere = run_binary("ccetl", {"--log-level", "info", "run", "-c", h.config_path()},
                                   {{"JOURNAL_STREAM", "1:1"}});
  for (const auto& line : lines_of(elsewhere.err)) {
    INFO(line);
    CHECK(line.front() != '<');
  }
}
