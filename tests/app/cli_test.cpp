// The ccetl binary as users and scripts call it: exit codes, what goes to stdout and stderr.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "support/child_process.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

const char* kJobs = R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
  - name: broken
    source: {scope: project_feedback, project: WidgetPro, report: DoesNotExist}
)";

}  // namespace

TEST_CASE("ccetl run: a summary line per job, exit 0 only when every job succeeded") {
  SyncHarness h;
  h.config(kJobs);
  RunResult ok = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "feedback_scores"});
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Catch::Contains("feedback_scores: succeeded") && Catch::Contains("5 read, 5 inserted, 0 updated, 0 unchanged, 0 deleted, 0 rejected"));

  RunResult all = run_binary("ccetl", {"run", "-c", h.config_path()});
  CHECK(all.code == 1);
  CHECK_THAT(all.out, Catch::Contains("5 unchanged"));
  CHECK_THAT(all.err, Catch::Contains("job 'broken' failed") && Catch::Contains("404"));
  CHECK(all.err.find("feedback_scores' failed") == std::string::npos);
  CHECK(all.out.find(kKey) == std::string::npos);
  CHECK(all.err.find(kKey) == std::string::npos);

  RunResult unknown = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "nope"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no job named 'nope'"));
}

TEST_CASE("ccetl validate: every problem as FILE:LINE:COL, exit 2, without network or database") {
  auto dir = std::filesystem::temp_directory_path() / ("ccetl-validate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "bad.yaml").string();
  std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: abcdefgh\n"
                         "warehouse:\n  dsn: host=/nowhere\njobs:\n"
                         "  - name: a\n    source: {scope: project_feedbak, project: P, report: R}\n"
                         "  - name: a\n    source: {scope: community_user, report: R}\n    shedule: \"* * * * *\"\n";
  RunResult r = run_binary("ccetl", {"validate", "-c", path});
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::Contains(path + ":8:"));
  CHECK_THAT(r.err, Catch::Contains("project_feedbak"));
  CHECK_THAT(r.err, Catch::Contains("shedule") && Catch::Contains("schedule"));
  CHECK_THAT(r.err, Catch::Contains("duplicate") || Catch::Contains("Duplicate"));

  std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: abcdefgh\n"
                         "warehouse:\n  dsn: host=/nowhere\njobs:\n"
                         "  - name: a\n    source: {scope: community_user, report: R}\n";
  RunResult good = run_binary("ccetl", {"validate", "-c", path});
  CHECK(good.code == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("ccetl discover: fields, types, the DDL a run would apply and the cost of a full run") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Big", "resultsPerPage": 10,
                    "synthetic": {"rows": 95, "seed": 3, "fields": ["string", "integer", "date"]}})");
  h.config(R"(  - name: big
    source: {scope: project_feedback, project: WidgetPro, report: Big}
    key: [ID]
)");
  RunResult r = run_binary("ccetl", {"discover", "-c", h.config_path(), "--job", "big"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("CREATE TABLE"));
  CHECK_THAT(r.out, Catch::Contains("bigint") && Catch::Contains("timestamp"));
  CHECK_THAT(r.out, Catch::Contains("10 request(s)"));
  // discover changes nothing.
  CHECK(h.count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'big'") == 0);

  REQUIRE(run_binary("ccetl", {"run", "-c", h.config_path()}).code == 0);
  RunResult again = run_binary("ccetl", {"discover", "-c", h.config_path(), "--job", "big"});
  CHECK_THAT(again.out, Catch::Contains("already matches"));
}

TEST_CASE("ccetl status: last run, status, last success and rows per job; --json for scripts") {
  SyncHarness h;
  h.config(kJobs);
  run_binary("ccetl", {"run", "-c", h.config_path()});
  RunResult table = run_binary("ccetl", {"status", "-c", h.config_path()});
  INFO(table.err);
  REQUIRE(table.code == 0);
  CHECK_THAT(table.out, Catch::Contains("JOB") && Catch::Contains("LAST SUCCESS"));
  CHECK_THAT(table.out, Catch::Contains("feedback_scores") && Catch::Contains("succeeded"));
  CHECK_THAT(table.out, Catch::Contains("broken") && Catch::Contains("failed"));
  RunResult json = run_binary("ccetl", {"status", "-c", h.config_path(), "--json"});
  CHECK_THAT(json.out, Catch::Contains("\"job\": \"feedback_scores\"") && Catch::Contains("\"status\": \"succeeded\"") &&
                           Catch::Contains("\"rows\": 5"));
  CHECK(json.out.find(kKey) == std::string::npos);
}

TEST_CASE("ccetl validate explains mode on_change on a target that creates something") {
  auto dir = std::filesystem::temp_directory_path() / ("ccetl-validate-mode-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "push.yaml").string();
  std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: abcdefgh\n"
                         "warehouse:\n  dsn: host=/nowhere\njobs:\n"
                         "  - name: fb\n    push:\n      target: {scope: project, project: P, feedback: Mobile}\n"
                         "      sql: SELECT 1 AS k\n      key: [k]\n      mode: on_change\n"
                         "  - name: fb_default\n    push:\n      target: {scope: project, project: P, feedback: Mobile}\n"
                         "      sql: SELECT 1 AS k\n      key: [k]\n"
                         "  - name: tiers\n    push:\n      target: {scope: community_user, data_listener: Performance}\n"
                         "      sql: SELECT 'a' AS find\n      key: [find]\n      mode: on_change\n";
  RunResult r = run_binary("ccetl", {"validate", "-c", path});
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains(path + ":7: note: job 'fb' has mode on_change") &&
                        Catch::Contains("creates another feedback"));
  CHECK_THAT(r.out, !Catch::Contains("'fb_default'") && !Catch::Contains("'tiers'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("every command has --help") {
  for (const char* cmd : {"run", "validate", "discover", "status", "daemon", "api"}) {
    RunResult r = run_binary("ccetl", {cmd, "--help"});
    INFO(cmd);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("--config"));
  }
  for (const char* cmd : {"list", "retry"}) {
    RunResult r = run_binary("ccetl", {"push", cmd, "--help"});
    INFO("push " << cmd);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("--config") && Catch::Contains("--job"));
  }
  CHECK(run_binary("ccetl", {"--version"}).code == 0);
  CHECK(run_binary("centercode-sim", {"--help"}).code == 0);
}

TEST_CASE("--log-format json: one JSON object per line, run lines carry job and run_id") {
  SyncHarness h;
  h.config(kJobs);
  RunResult r = run_binary("ccetl", {"--log-format", "json", "--log-level", "info", "run", "-c", h.config_path(),
                                     "--job", "feedback_scores"});
  REQUIRE(r.code == 0);
  std::istringstream lines(r.err);
  std::string line;
  int run_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    INFO(line);
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
    if (line.find("\"job\":\"feedback_scores\",\"run_id\":\"") != std::string::npos) ++run_lines;
  }
  CHECK(run_lines >= 2);
}

TEST_CASE("ccetl run skips a job whose advisory lock another process holds") {
  SyncHarness h;
  h.config(kJobs);
  auto holder = connect_warehouse(h.dsn());
  holder->ensure_catalog();
  REQUIRE(holder->try_lock_job("feedback_scores"));
  RunResult r = run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "feedback_scores"});
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("feedback_scores: skipped"));
  CHECK(h.count("SELECT count(*) FROM ccetl.runs") == 0);
  holder->unlock_job("feedback_scores");
  CHECK(run_binary("ccetl", {"run", "-c", h.config_path(), "--job", "feedback_scores"}).code == 0);
}

TEST_CASE("ccetl run draws a progress line when stderr is a terminal, and none otherwise") {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN("script(1) is not installed; skipped");
    return;
  }
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Paged", "resultsPerPage": 5,
                    "synthetic": {"rows": 40, "seed": 2, "fields": ["string", "integer"]}})");
  h.config(R"(  - name: paged
    source: {scope: project_feedback, project: WidgetPro, report: Paged}
    key: [ID]
)");
  // script(1) gives the child a pseudo-terminal; its transcript holds what the terminal showed.
  std::string transcript = (h.dir() / "tty.log").string();
  std::string cmd = "script -qec '" + build_binary("ccetl") + " run -c " + h.config_path() + "' " + transcript +
                    " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(transcript);
  std::stringstream tty;
  tty << in.rdbuf();
  CHECK_THAT(tty.str(), Catch::Contains("paged: page ") && Catch::Contains("/8") && Catch::Contains("rows/s"));
  RunResult piped = run_binary("ccetl", {"run", "-c", h.config_path()});
  CHECK(piped.err.find("rows/s") == std::string::npos);
}
