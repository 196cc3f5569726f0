#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

void check_at(const ConfigProblem& p, int line, int column) {
  INFO(p.to_string());
  CHECK(p.mark.line == line);
  CHECK(p.mark.column == column);
}

}  // namespace

TEST_CASE("every mistake is reported at once with its FILE:LINE:COL", "[config][errors]") {
  const std::string path = write_temp("many_mistakes.yaml",
                                      "centercode:\n"                                                   // 1
                                      "  base_url: http://localhost:8080/api/v1\n"                      // 2
                                      "  api_key: ${CENTERCODE_API_KEY}\n"                              // 3
                                      "  rate_limt: 5\n"                                                // 4
                                      "  max_in_flight: many\n"                                         // 5
                                      "warehouse:\n"                                                    // 6
                                      "  dsn: ${CCETL_PG_DSN}\n"                                        // 7
                                      "daemon:\n"                                                       // 8
                                      "  time_zone: Mars/Olympus\n"                                     // 9
                                      "  grace: 30 seconds\n"                                           // 10
                                      "jobs:\n"                                                         // 11
                                      "  - name: feedback_scores\n"                                     // 12
                                      "    source: {scope: project_feedbak, project: WidgetPro, report: FeedbackScores}\n"
                                      "    shedule: \"*/15 * * * *\"\n"                                 // 14
                                      "  - name: feedback_scores\n"                                     // 15
                                      "    source: {scope: community_user, report: NegativeScore, project: WidgetPro}\n"
                                      "    deletes: soft\n"                                             // 17
                                      "    schedule: \"*/15 * * 13 *\"\n"                               // 18
                                      "    interval: 15m\n"                                             // 19
                                      "  - name: Bad-Name\n"                                            // 20
                                      "    source: {scope: project_user, report: A, lookup: B}\n"       // 21
                                      "    max_delete_ratio: 1.5\n"                                     // 22
                                      "    after: [nope, feedback_score]\n"                             // 23
                                      "  - name: no_source\n"                                           // 24
                                      "    key: ID\n");                                                 // 25
  auto problems = problems_of(path);
  std::string all;
  for (const auto& p : problems) all += p.to_string() + "\n";
  INFO(all);

  auto http = problem_with(problems, "plain http://");
  check_at(http, 2, 13);
  CHECK_THAT(http.message, Catch::Matchers::Contains("allow_insecure_http: true"));
  CHECK(http.to_string() == path + ":2:13: " + http.message);
  check_at(problem_with(problems, "unknown key 'rate_limt' in centercode (did you mean 'rate_limit'?)"), 4, 3);
  check_at(problem_with(problems, "centercode.max_in_flight: expected a whole number, got 'many'"), 5, 18);
  check_at(problem_with(problems, "unknown time zone 'Mars/Olympus'"), 9, 14);
  check_at(problem_with(problems, "daemon.grace: expected a duration such as 30s, 15m, 6h or 1d, got '30 seconds'"), 10, 10);
  auto scope = problem_with(problems, "unknown scope 'project_feedbak'");
  check_at(scope, 13, 21);
  CHECK_THAT(scope.message, Catch::Matchers::Contains("community_user, community_project, project_user or project_feedback") &&
                                Catch::Matchers::Contains("did you mean 'project_feedback'?"));
  check_at(problem_with(problems, "unknown key 'shedule' in job 'feedback_scores' (did you mean 'schedule'?)"), 14, 5);
  check_at(problem_with(problems, "duplicate job name 'feedback_scores' (first defined at line 12)"), 15, 11);
  check_at(problem_with(problems, "scope community_user has no project"), 16, 69);
  check_at(problem_with(problems, "deletes needs 'key'"), 17, 14);
  auto cron = problem_with(problems, "invalid schedule '*/15 * * 13 *'");
  check_at(cron, 18, 15);
  CHECK_THAT(cron.message, Catch::Matchers::Contains("month field"));
  check_at(problem_with(problems, "set either schedule or interval, not both"), 19, 15);
  check_at(problem_with(problems, "name 'Bad-Name' is not valid"), 20, 11);
  check_at(problem_with(problems, "set either report (a data package) or lookup (a record lookup), not both"), 21, 54);
  check_at(problem_with(problems, "scope project_user needs 'project'"), 21, 13);
  check_at(problem_with(problems, "max_delete_ratio: 1.5 is out of range (expected 0 to 1)"), 22, 23);
  check_at(problem_with(problems, "unknown job 'nope'"), 23, 13);
  check_at(problem_with(problems, "unknown job 'feedback_score' (did you mean 'feedback_scores'?)"), 23, 19);
  check_at(problem_with(problems, "job 'no_source': needs either 'source'"), 24, 5);
  check_at(problem_with(problems, "job 'no_source' key: expected a list of strings"), 25, 10);
  CHECK(problems.size() == 20);
}

TEST_CASE("malformed YAML is one problem at the parser's position", "[config][errors]") {
  auto path = write_temp("malformed.yaml", "centercode:\n  base_url: [unclosed\njobs: []\n");
  auto problems = problems_of(path);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0].message, Catch::Matchers::StartsWith("invalid YAML: "));
  CHECK(problems[0].mark.file == path);
  CHECK(problems[0].mark.line >= 2);
  CHECK(problems[0].mark.column >= 1);

  auto tabs = write_temp("tabs.yaml", "jobs:\n  - name: a\n\t  source: x\n");
  auto tab_problems = problems_of(tabs);
  REQUIRE(tab_problems.size() == 1);
  CHECK(tab_problems[0].mark.line == 3);
}

TEST_CASE("a missing file is a problem naming the file", "[config][errors]") {
  const std::string path = temp_dir() + "/does-not-exist.yaml";
  auto problems = problems_of(path);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].mark.file == path);
  CHECK_THAT(problems[0].to_string(), Catch::Matchers::StartsWith(path + ": cannot read the config file"));
}

TEST_CASE("empty files, wrong top-level shapes and missing sections", "[config][errors]") {
  CHECK_THAT(problems_of(write_temp("empty.yaml", "# nothing\n"))[0].message,
             Catch::Matchers::Contains("the file is empty"));
  CHECK_THAT(problems_of(write_temp("list.yaml", "- a\n- b\n"))[0].message,
             Catch::Matchers::Contains("expected a map at the top level, got a list"));
  auto problems = problems_of(write_temp("sections.yaml", "centercod:\n  base_url: x\njobs: []\n"));
  check_at(problem_with(problems, "unknown key 'centercod' in the top level (did you mean 'centercode'?)"), 1, 1);
  check_at(problem_with(problems, "missing required key 'centercode'"), 1, 1);
  check_at(problem_with(problems, "missing required key 'warehouse'"), 1, 1);
  check_at(problem_with(problems, "jobs: the list is empty"), 3, 7);
  auto no_jobs = problems_of(write_temp("nojobs.yaml", kHeader));
  problem_with(no_jobs, "missing required key 'jobs'");
  auto typed = problems_of(write_temp("typed.yaml", "centercode: https://x\nwarehouse: {dsn: x, dsn_file: y}\n"
                                                    "jobs: {name: a}\n"));
  check_at(problem_with(typed, "centercode: expected a map, got 'https://x'"), 1, 13);
  check_at(problem_with(typed, "set only one of dsn and dsn_file"), 2, 31);
  check_at(problem_with(typed, "jobs: expected a list of jobs, got a map"), 3, 7);
}

TEST_CASE("mistyped values say what was expected", "[config][errors]") {
  auto path = write_temp("types.yaml",
                         "centercode:\n"
                         "  base_url: ftp://example.com\n"
                         "  api_key: [a, b]\n"
                         "  allow_insecure_http: maybe\n"
                         "  rate_limit: fast\n"
                         "  max_attempts: 0\n"
                         "warehouse: {dsn: x, schema: Bad Schema}\n"
                         "daemon: {listen: 'localhost', max_concurrent_jobs: 2.5}\n"
                         "jobs:\n"
                         "  - name: a\n"
                         "    source: [community_user]\n"
                         "    table: 'x-y'\n"
                         "    deletes: sometimes\n"
                         "    key: [ID, [nested]]\n"
                         "    after: a\n"
                         "  - 'just a string'\n");
  auto problems = problems_of(path);
  check_at(problem_with(problems, "base_url: expected an http(s) URL"), 2, 13);
  check_at(problem_with(problems, "centercode.api_key: expected a string, got a list"), 3, 12);
  check_at(problem_with(problems, "allow_insecure_http: expected true or false, got 'maybe'"), 4, 24);
  check_at(problem_with(problems, "rate_limit: expected a number, got 'fast'"), 5, 15);
  check_at(problem_with(problems, "max_attempts: 0 is out of range (expected 1 to 100)"), 6, 17);
  problem_with(problems, "warehouse.schema: 'Bad Schema' is not a valid name");
  problem_with(problems, "daemon.listen: expected HOST:PORT");
  problem_with(problems, "daemon.max_concurrent_jobs: expected a whole number, got '2.5'");
  check_at(problem_with(problems, "job 'a' source: expected a map, got a list"), 11, 13);
  problem_with(problems, "table 'x-y' is not a valid name");
  problem_with(problems, "deletes: expected keep, soft or hard, got 'sometimes'");
  check_at(problem_with(problems, "key[1]: expected a string, got a list"), 14, 15);
  problem_with(problems, "job 'a' after: expected a list of strings");
  check_at(problem_with(problems, "jobs[1]: expected a map with name and source or push, got 'just a string'"), 16, 5);
}

TEST_CASE("source rules: lookup/report, project scopes, fan-out, find", "[config][errors]") {
  auto path = write_temp("sources.yaml", kHeader +
                                             "jobs:\n"
                                             "  - name: neither\n"                                                 // 6
                                             "    source: {scope: community_user}\n"                               // 7
                                             "  - name: no_project\n"                                              // 8
                                             "    source: {scope: project_feedback, report: FeedbackScores}\n"     // 9
                                             "  - name: fan_community\n"                                           // 10
                                             "    source: {scope: community_user, report: NegativeScore}\n"        // 11
                                             "    projects: [A]\n"                                                 // 12
                                             "  - name: fan_both\n"                                                // 13
                                             "    source: {scope: project_user, report: UserFeedbackTotals}\n"     // 14
                                             "    projects: [A]\n"                                                 // 15
                                             "    projects_from: {job: fan_community, field: X}\n"                 // 16
                                             "  - name: fan_bad_ref\n"                                             // 17
                                             "    source: {scope: project_user, report: UserFeedbackTotals}\n"     // 18
                                             "    projects_from: {job: projects_lst, field: X}\n"                  // 19
                                             "  - name: lookup_without_find\n"                                     // 20
                                             "    source: {scope: project_feedback, project: W, lookup: BugReports}\n"
                                             "  - name: report_with_find\n"                                        // 22
                                             "    source: {scope: community_user, report: NegativeScore, format: xml}\n"
                                             "    find: [x]\n"                                                     // 24
                                             "  - name: project_list\n"                                            // 25
                                             "    source: {scope: community_project, report: UserTotals}\n");      // 26
  auto problems = problems_of(path);
  check_at(problem_with(problems, "job 'neither' source: missing 'report'"), 7, 13);
  check_at(problem_with(problems, "scope project_feedback needs 'project'"), 9, 13);
  check_at(problem_with(problems, "job 'fan_community' projects: fan-out over projects needs a project scope"), 12, 15);
  check_at(problem_with(problems, "set either projects or projects_from, not both"), 16, 20);
  check_at(problem_with(problems, "job 'fan_both' projects_from.job: job 'fan_community' must pull a community_project source"), 16, 26);
  check_at(problem_with(problems, "unknown job 'projects_lst' (did you mean 'project_list'?)"), 19, 26);
  check_at(problem_with(problems, "a record lookup needs exactly one of find"), 20, 5);
  check_at(problem_with(problems, "format: expected json or csv, got 'xml'"), 23, 68);
  check_at(problem_with(problems, "only record lookups (source.lookup) take find"), 24, 11);
  CHECK(problems.size() == 9);
}

TEST_CASE("after: cycles are reported", "[config][errors]") {
  auto path = write_temp("cycle.yaml", kHeader +
                                           "jobs:\n"
                                           "  - name: a\n"
                                           "    source: {scope: community_user, report: R1}\n"
                                           "    after: [c]\n"                                  // 8
                                           "  - name: b\n"
                                           "    source: {scope: community_user, report: R2}\n"
                                           "    after: [a]\n"
                                           "  - name: c\n"
                                           "    source: {scope: community_user, report: R3}\n"
                                           "    after: [b]\n"
                                           "  - name: d\n"
                                           "    source: {scope: community_user, report: R4}\n"
                                           "    after: [d]\n");                                 // 17
  auto problems = problems_of(path);
  REQUIRE(problems.size() == 2);
  auto cycle = problem_with(problems, "'after' forms a cycle");
  CHECK_THAT(cycle.message, Catch::Matchers::Contains("a -> c -> b -> a") ||
                                Catch::Matchers::Contains("b -> a -> c -> b") ||
                                Catch::Matchers::Contains("c -> b -> a -> c"));
  check_at(problem_with(problems, "a job cannot run after itself"), 17, 13);
}

TEST_CASE("push target combinations", "[config][errors][push]") {
  auto path = write_temp("push.yaml", kHeader +
                                          "jobs:\n"
                                          "  - name: two_targets\n"                                                      // 6
                                          "    push:\n"                                                                  // 7
                                          "      target: {scope: community_user, data_listener: P, macro_listener: M}\n" // 8
                                          "      sql: SELECT 1\n"
                                          "      key: [find]\n"
                                          "  - name: import_feedback\n"                                                  // 11
                                          "    push:\n"
                                          "      target: {scope: project_feedback, project: W, user_import: Mobile}\n"   // 13
                                          "      sql: SELECT 1\n"
                                          "      key: [find]\n"
                                          "  - name: feedback_scope\n"                                                   // 16
                                          "    push:\n"
                                          "      target: {scope: project_feedback, project: W, feedback: Mobile}\n"      // 18
                                          "      sql: SELECT 1\n"
                                          "      key: [find]\n"
                                          "  - name: release_no_project\n"                                               // 21
                                          "    push:\n"
                                          "      target: {scope: project, release: Firmware}\n"                          // 23
                                          "      sql: SELECT 1\n"
                                          "      key: [find]\n"
                                          "  - name: listener_attachments\n"                                             // 26
                                          "    push:\n"
                                          "      target: {scope: project_user, data_listener: Performance}\n"            // 28
                                          "      sql: '  '\n"                                                            // 29
                                          "      key: []\n"                                                              // 30
                                          "      mode: sometimes\n"                                                      // 31
                                          "      attachments: {Screenshot: shot}\n"                                      // 32
                                          "  - name: community_with_project\n"                                           // 33
                                          "    push:\n"
                                          "      target: {scope: community_user, project: W, comment_listener: C}\n"     // 35
                                          "      sql: SELECT 1\n"
                                          "  - name: both\n"                                                             // 37
                                          "    source: {scope: community_user, report: R}\n"
                                          "    push: {target: {scope: community_user, macro_listener: M}, sql: x, key: [k]}\n"
                                          "  - name: pull_keys_on_push\n"                                                // 40
                                          "    table: t\n"                                                               // 41
                                          "    push: {target: {scope: community_user, macro_listener: M}, sql: x, key: [k]}\n");
  auto problems = problems_of(path);
  check_at(problem_with(problems, "job 'two_targets' push.target: needs exactly one of data_listener"), 8, 15);
  check_at(problem_with(problems, "a user_import target takes scope community_user or project_user, got 'project_feedback'"), 13, 23);
  check_at(problem_with(problems, "feedback targets take 'scope: project'"), 18, 23);
  check_at(problem_with(problems, "missing required key 'project' in job 'release_no_project' push.target"), 23, 15);
  check_at(problem_with(problems, "scope project_user needs a project key"), 28, 15);
  check_at(problem_with(problems, "push.sql: must not be empty"), 29, 12);
  check_at(problem_with(problems, "push.key: must not be an empty list"), 30, 12);
  check_at(problem_with(problems, "mode: expected once or on_change, got 'sometimes'"), 31, 13);
  check_at(problem_with(problems, "only feedback targets take attachments"), 32, 20);
  check_at(problem_with(problems, "scope community_user has no project"), 35, 48);
  problem_with(problems, "missing required key 'key' in job 'community_with_project' push");
  check_at(problem_with(problems, "job 'both': set either source (pull) or push"), 39, 11);
  check_at(problem_with(problems, "job 'pull_keys_on_push' table: only pull jobs"), 41, 12);
  CHECK(problems.size() == 13);
}

TEST_CASE("duplicate keys, duplicate tables and unnamed jobs", "[config][errors]") {
  auto path = write_temp("dupes.yaml", kHeader +
                                           "jobs:\n"
                                           "  - name: a\n"                                       // 6
                                           "    source: {scope: community_user, report: R1}\n"
                                           "    table: shared\n"
                                           "    table: other\n"                                  // 9
                                           "  - name: b\n"                                       // 10
                                           "    source: {scope: community_user, report: R2}\n"
                                           "    table: shared\n"
                                           "  - source: {scope: community_user, report: R3}\n"   // 13
                                           "    scheduel: '@daily'\n"                            // 14
                                           "    time_zone: Europe/Nowhere\n");                   // 15
  auto problems = problems_of(path);
  check_at(problem_with(problems, "duplicate key 'table' in job 'a' (first set at line 8)"), 9, 5);
  check_at(problem_with(problems, "job 'b': table 'shared' is also loaded by job 'a'"), 10, 11);
  check_at(problem_with(problems, "missing required key 'name' in jobs[2]"), 13, 5);
  check_at(problem_with(problems, "unknown key 'scheduel' in jobs[2] (did you mean 'schedule'?)"), 14, 5);
  check_at(problem_with(problems, "jobs[2]: unknown time zone 'Europe/Nowhere'"), 15, 16);
  CHECK(problems.size() == 5);
}

TEST_CASE("unknown keys without a close match list the valid ones", "[config][errors]") {
  auto problems = problems_of(write_temp("unknown.yaml", kHeader +
                                                             "jobs:\n"
                                                             "  - name: a\n"
                                                             "    source: {scope: community_user, report: R, xyzzy: 1}\n"));
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0].message,
             Catch::Matchers::Contains("unknown key 'xyzzy' in job 'a' source (expected one of: scope, project, report, lookup, format)"));
  check_at(problems[0], 7, 48);
}

TEST_CASE("daemon.time_zone: only zones the scheduler can load pass validation", "[config][errors]") {
  // posix/... holds TZif files too, but the zone database the scheduler uses does not list them:
  // validate must refuse what the daemon would refuse at start.
  auto path = write_temp("posix_zone.yaml", kHeader + "daemon:\n  time_zone: posix/Europe/Berlin\njobs: []\n");
  auto problems = problems_of(path);
  check_at(problem_with(problems, "unknown time zone 'posix/Europe/Berlin'"), 6, 14);
}

TEST_CASE("centercode.proxy: a malformed proxy URL is reported at its line, without the password", "[config][errors]") {
  auto path = write_temp("bad_proxy.yaml", "centercode:\n"
                                           "  base_url: https://company.centercode.com/api/v1\n"
                                           "  api_key: ${CENTERCODE_API_KEY}\n"
                                           "  proxy: http://etl:hunter2@proxy.corp:99999\n"  // 4
                                           "warehouse: {dsn: '${CCETL_PG_DSN}'}\njobs: []\n");
  auto problems = problems_of(path);
  auto p = problem_with(problems, "centercode.proxy: bad proxy port '99999'");
  check_at(p, 4, 10);
  CHECK(p.to_string().find("hunter2") == std::string::npos);
  auto ok = write_temp("no_proxy.yaml", "centercode:\n"
                                        "  base_url: https://company.centercode.com/api/v1\n"
                                        "  api_key: ${CENTERCODE_API_KEY}\n"
                                        "  proxy: \"\"\n"
                                        "warehouse: {dsn: '${CCETL_PG_DSN}'}\njobs: []\n");
  for (const auto& other : problems_of(ok)) CHECK(other.message.find("proxy") == std::string::npos);
}

TEST_CASE("history needs a key and a history table of its own", "[config][errors]") {
  auto path = write_temp("history.yaml", kHeader +  // 4 lines
                                             "jobs:\n"
                                             "  - name: snapshot\n"
                                             "    source: {scope: community_user, report: A}\n"
                                             "    history: true\n"
                                             "  - name: keyed\n"
                                             "    source: {scope: community_user, report: B}\n"
                                             "    key: [ID]\n"
                                             "    history: yes\n"
                                             "  - name: clash\n"
                                             "    source: {scope: community_user, report: C}\n"
                                             "    table: keyed_history\n"
                                             "  - name: off\n"
                                             "    source: {scope: community_user, report: D}\n"
                                             "    history: false\n"
                                             "  - name: bad\n"
                                             "    source: {scope: community_user, report: E}\n"
                                             "    key: [ID]\n"
                                             "    history: sometimes\n");
  auto problems = problems_of(path);
  INFO(problems.size());
  check_at(problem_with(problems, "job 'snapshot': history needs 'key'"), 8, 14);
  check_at(problem_with(problems, "job 'keyed': its history table 'keyed_history' is the table of job 'clash'"),
           9, 11);
  check_at(problem_with(problems, "history: expected true or false, got 'sometimes'"), 22, 14);
  CHECK(problems.size() == 3);
}
