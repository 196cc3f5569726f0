// The ccetl binary as users and scripts call it: exit codes, what goes to stdout and stderr.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "app/deploy_files.h"
#include "support/child_process.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

const char* kValidConfig =
    "centercode:\n  base_url: https://c.example/api/v1\n  api_key: abcdefgh\n"
    "warehouse:\n  dsn: host=/nowhere\njobs:\n"
    "  - name: a\n    source: {scope: community_user, report: R}\n";

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

TEST_CASE("every command has --help, listing the global options too") {
  for (const char* cmd : {"run", "validate", "discover", "status", "daemon", "api"}) {
    RunResult r = run_binary("ccetl", {cmd, "--help"});
    INFO(cmd);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("--config") && Catch::Contains("--log-level") && Catch::Contains("--log-format"));
  }
  CHECK(run_binary("ccetl", {"--help"}).code == 0);
  for (const char* cmd : {"list", "retry"}) {
    RunResult r = run_binary("ccetl", {"push", cmd, "--help"});
    INFO("push " << cmd);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("--config") && Catch::Contains("--job"));
  }
  CHECK(run_binary("ccetl", {"--version"}).code == 0);
  CHECK(run_binary("centercode-sim", {"--help"}).code == 0);
}

TEST_CASE("every usage error exits 2 with one line on stderr naming the problem") {
  TempDir dir("usage");
  std::string good = (dir.path() / "good.yaml").string();
  std::ofstream(good) << kValidConfig;
  // Each was 105, 106, 108 or 109 (CLI11's own codes) with several lines of output.
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "a command is required (commands: run, validate"},
      {{"sync", "-c", good}, "unknown command 'sync'"},
      {{"run"}, "--config is required"},
      {{"run", "-c", (dir.path() / "missing.yaml").string()}, "missing.yaml"},
      {{"run", "-c", good, "--frobnicate"}, "--frobnicate"},
      {{"--log-level", "loud", "validate", "-c", good}, "loud"},
      {{"validate", "-c", good, "--log-format", "xml"}, "xml"},
      {{"validate", "-c", good, "stray"}, "stray"},
      {{"discover", "-c", good}, "--job is required"},
      {{"api", "-c", good, "delete", "/x"}, "delete"},
      {{"status", "-c"}, "--config"},
  };
  for (const auto& [args, mention] : cases) {
    RunResult r = run_binary("ccetl", args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    INFO("ccetl " << shown << "\nstderr: " << r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::StartsWith("ccetl") && Catch::Contains(mention) && Catch::Contains("--help"));
  }
}

TEST_CASE("global options are accepted after the subcommand") {
  TempDir dir("global");
  std::string good = (dir.path() / "good.yaml").string();
  std::ofstream(good) << kValidConfig;
  for (std::vector<std::string> args : {std::vector<std::string>{"validate", "-c", good, "--log-level", "debug"},
                                        std::vector<std::string>{"validate", "--log-format", "json", "-c", good},
                                        std::vector<std::string>{"--log-level", "info", "validate", "-c", good,
                                                                 "--log-format", "json"}}) {
    RunResult r = run_binary("ccetl", args);
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("ok, 1 job(s)"));
  }
}

// Bug caught: `ccetl -c FILE run` (the config before the command, as many users type it) was a
// usage error, although -c is every command's option.
TEST_CASE("-c/--config is accepted before the command too") {
  TempDir dir("config-first");
  std::string good = (dir.path() / "good.yaml").string();
  std::ofstream(good) << kValidConfig;
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-c", good, "validate"}, std::vector<std::string>{"--config", good, "validate"},
        std::vector<std::string>{"--config=" + good, "validate"},
        std::vector<std::string>{"--log-level", "info", "-c", good, "validate", "--log-format", "json"}}) {
    RunResult r = run_binary("ccetl", args);
    INFO(args.front() << " -> " << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("ok, 1 job(s)"));
  }
  // Nested commands: the file reaches `push list` (which then needs its --job).
  RunResult nested = run_binary("ccetl", {"-c", good, "push", "list"});
  CHECK(nested.code == 2);
  CHECK_THAT(nested.err, Catch::StartsWith("ccetl push list:") && Catch::Contains("--job"));
  // Without a command it is still a one-line usage error.
  RunResult none = run_binary("ccetl", {"-c", good});
  CHECK(none.code == 2);
  CHECK_THAT(none.err, Catch::Contains("a command is required"));
}

TEST_CASE("validate --allow-unset-env checks a file whose secrets are not set") {
  TempDir dir("unset-env");
  std::string path = (dir.path() / "secrets.yaml").string();
  std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: ${CCETL_TEST_UNSET_KEY}\n"
                         "warehouse:\n  dsn: ${CCETL_TEST_UNSET_DSN}\njobs:\n"
                         "  - name: a\n    source: {scope: community_user, report: R}\n";
  RunResult strict = run_binary("ccetl", {"validate", "-c", path});
  CHECK(strict.code == 2);
  CHECK_THAT(strict.err, Catch::Contains("CCETL_TEST_UNSET_KEY is not set") && Catch::Contains(path + ":3:"));

  RunResult relaxed = run_binary("ccetl", {"validate", "-c", path, "--allow-unset-env"});
  INFO(relaxed.err);
  CHECK(relaxed.code == 0);
  CHECK_THAT(relaxed.out, Catch::Contains("unset: CCETL_TEST_UNSET_DSN, CCETL_TEST_UNSET_KEY"));

  // Placeholders hide nothing else: a wrong scope is still reported.
  std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: ${CCETL_TEST_UNSET_KEY}\n"
                         "warehouse:\n  dsn: ${CCETL_TEST_UNSET_DSN}\njobs:\n"
                         "  - name: a\n    source: {scope: comunity_user, report: R}\n";
  RunResult wrong = run_binary("ccetl", {"validate", "-c", path, "--allow-unset-env"});
  CHECK(wrong.code == 2);
  CHECK_THAT(wrong.err, Catch::Contains(path + ":8:") && Catch::Contains("comunity_user"));
}

TEST_CASE("validate checks the DSN's syntax offline and never prints its values") {
  TempDir dir("dsn");
  std::string path = (dir.path() / "dsn.yaml").string();
  auto validate_dsn = [&](const std::string& dsn) {
    std::ofstream(path) << "centercode:\n  base_url: https://c.example/api/v1\n  api_key: abcdefgh\n"
                           "warehouse:\n  dsn: '" << dsn << "'\njobs:\n"
                           "  - name: a\n    source: {scope: community_user, report: R}\n";
    return run_binary("ccetl", {"validate", "-c", path});
  };
  // Accepted by libpq: both forms, with the settings deploy/k8s uses.
  for (const char* dsn : {"host=db.example port=5432 dbname=warehouse user=ccetl sslmode=verify-full",
                          "postgresql://ccetl@db.example:5432/warehouse?sslmode=verify-full&"
                          "sslrootcert=/etc/ssl/certs/ca-certificates.crt"}) {
    RunResult ok = validate_dsn(dsn);
    INFO(dsn << ": " << ok.err);
    CHECK(ok.code == 0);
  }
  // A misspelt option is named (option names are not secret).
  RunResult typo = validate_dsn("host=db.example dbnmae=warehouse");
  CHECK(typo.code == 2);
  CHECK_THAT(typo.err, Catch::Contains(path + ":5:") && Catch::Contains("warehouse.dsn") && Catch::Contains("dbnmae"));
  // A password with a space breaks the key=value syntax; libpq quotes the fragment, ccetl masks it.
  RunResult spaced = validate_dsn("host=db.example password=hunter2 xyzzy42 dbname=w");
  CHECK(spaced.code == 2);
  CHECK_THAT(spaced.err, Catch::Contains(path + ":5:") && Catch::Contains("missing \"=\""));
  CHECK(spaced.err.find("xyzzy42") == std::string::npos);
  CHECK(spaced.err.find("hunter2") == std::string::npos);
  RunResult encoded = validate_dsn("postgresql://ccetl:s3cr%zzet@db.example/w");
  CHECK(encoded.code == 2);
  CHECK(encoded.err.find("s3cr") == std::string::npos);
  // libpq parses any sslmode; ccetl checks the value offline.
  RunResult mode = validate_dsn("postgresql://ccetl@db.example/w?sslmode=verify-fulll");
  CHECK(mode.code == 2);
  CHECK_THAT(mode.err, Catch::Contains("sslmode 'verify-fulll'"));
}

TEST_CASE("--log-format json: one JSON object per line, run lines carry job and run_id") {
  SyncHarness h;
  h.config(kJobs);
  // The global options before the subcommand, and after it.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--log-format", "json", "--log-level", "info", "run", "-c", h.config_path(), "--job",
                                 "feedback_scores"},
        std::vector<std::string>{"run", "-c", h.config_path(), "--job", "feedback_scores", "--log-format", "json",
                                 "--log-level", "info"}}) {
    RunResult r = run_binary("ccetl", args);
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
