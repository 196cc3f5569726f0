#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "config/env_expand.h"
#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

void check_at(const ConfigProblem& p, int line, int column) {
  INFO(p.to_string());
  CHECK(p.mark.line == line);
  CHECK(p.mark.column == column);
}

// Captures spdlog output for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string kJob =
    "jobs:\n"
    "  - name: negative_score\n"
    "    source: {scope: community_user, report: NegativeScore}\n";

}  // namespace

TEST_CASE("expand_env: variables, defaults, $$ and errors", "[config][env]") {
  auto env = env_of({{"A", "alpha"}, {"EMPTY", ""}});
  CHECK(expand_env("x${A}y", env).value == "xalphay");
  CHECK(expand_env("${A:-zzz}", env).value == "alpha");
  CHECK(expand_env("${MISSING:-fallback value}", env).value == "fallback value");
  CHECK(expand_env("${EMPTY:-used}", env).value == "used");  // shell semantics: empty -> default
  CHECK(expand_env("${EMPTY}", env).value.empty());
  CHECK(expand_env("${MISSING:-}", env).value.empty());
  CHECK(expand_env("$$", env).value == "$");
  CHECK(expand_env("$${A}", env).value == "${A}");
  CHECK(expand_env("pa$$word$", env).value == "pa$word$");
  CHECK(expand_env("a$b", env).value == "a$b");  // a lone $ is literal
  CHECK(expand_env("no refs", env).value == "no refs");
  auto missing = expand_env("${MISSING}", env);
  CHECK_FALSE(missing.ok());
  CHECK_THAT(missing.error, Catch::Matchers::Contains("environment variable MISSING is not set"));
  CHECK_THAT(expand_env("${A", env).error, Catch::Matchers::Contains("unterminated"));
  CHECK_THAT(expand_env("${1X}", env).error, Catch::Matchers::Contains("invalid variable reference"));
  CHECK_THAT(expand_env("${}", env).error, Catch::Matchers::Contains("invalid variable reference"));
}

TEST_CASE("env expansion applies to every scalar; missing variables are reported where used", "[config][env]") {
  auto path = write_temp("env.yaml",
                         "centercode:\n"
                         "  base_url: ${BASE:-https://company.centercode.com/api/v1}\n"
                         "  api_key: ${CENTERCODE_API_KEY}\n"
                         "  rate_limit: ${RATE:-3}\n"
                         "  allow_insecure_http: ${INSECURE:-false}\n"
                         "warehouse: {dsn: '${CCETL_PG_DSN}', schema: '${SCHEMA:-cc}'}\n"
                         "jobs:\n"
                         "  - name: negative_score\n"
                         "    source: {scope: community_user, report: '${REPORT}'}\n"
                         "    key: ['${KEY_FIELD:-ID}']\n");
  auto env = env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "host=/tmp dbname=x"}, {"REPORT", "NegativeScore"}});
  Config c = load_config(path, env);
  CHECK(c.centercode.base_url == "https://company.centercode.com/api/v1");
  CHECK(c.centercode.rate_limit == 3);
  CHECK_FALSE(c.centercode.allow_insecure_http);
  CHECK(c.warehouse.schema == "cc");
  CHECK(c.jobs[0].source->report == "NegativeScore");
  CHECK(c.jobs[0].key == std::vector<std::string>{"ID"});

  // Booleans accept expanded strings: http:// is allowed when the variable says true.
  auto insecure = env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "d"}, {"REPORT", "R"},
                          {"BASE", "http://127.0.0.1:8443/api/v1"}, {"INSECURE", "true"}});
  Config http = load_config(path, insecure);
  CHECK(http.centercode.allow_insecure_http);
  CHECK(http.centercode.base_url == "http://127.0.0.1:8443/api/v1");

  // Missing variables: one problem each, at the scalar that references it.
  auto problems = problems_of(path, env_of({{"CCETL_PG_DSN", "d"}}));
  REQUIRE(problems.size() == 2);
  check_at(problem_with(problems, "centercode.api_key: environment variable CENTERCODE_API_KEY is not set"), 3, 12);
  check_at(problem_with(problems, "environment variable REPORT is not set"), 9, 45);
}

TEST_CASE("the API key never appears in any message", "[config][secrets]") {
  auto path = write_temp("leaky.yaml",
                         "centercode:\n"
                         "  base_url: ${CENTERCODE_API_KEY}\n"
                         "  api_key: ${CENTERCODE_API_KEY}\n"
                         "  rate_limit: ${CENTERCODE_API_KEY}\n"
                         "  max_attempts: ${CENTERCODE_API_KEY}\n"
                         "warehouse: {dsn: '${CCETL_PG_DSN}', schema: '${CCETL_PG_DSN}'}\n"
                         "daemon: {listen: '${JOB_KEY}'}\n"
                         "jobs:\n"
                         "  - name: negative_score\n"
                         "    source: {scope: '${CENTERCODE_API_KEY}', report: R}\n"
                         "    api_key: ${JOB_KEY}\n"
                         "    deletes: ${JOB_KEY}\n");
  const std::string dsn = "postgresql://etl:hunter2secret@db/warehouse";
  const std::string job_key = "aaaabbbbccccddddeeeeffff00001111";
  auto problems = problems_of(path, env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", dsn}, {"JOB_KEY", job_key}}));
  CHECK(problems.size() >= 7);
  std::string all;
  for (const auto& p : problems) all += p.to_string() + "\n";
  INFO(all);
  CHECK(all.find(kTestKey) == std::string::npos);
  CHECK(all.find(dsn) == std::string::npos);
  CHECK(all.find(job_key) == std::string::npos);
  CHECK(all.find("***") != std::string::npos);
  try {
    load_config(path, env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", dsn}, {"JOB_KEY", job_key}}));
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find(kTestKey) == std::string::npos);
    CHECK(std::string(e.what()).find(job_key) == std::string::npos);
  }
}

TEST_CASE("api_key_file and dsn_file: read, trimmed, world-readable warning", "[config][secrets]") {
  const std::string secret = "fedcba9876543210fedcba9876543210";
  write_temp("key-private", secret + "\n", 0600);
  write_temp("key-public", secret + "\r\n", 0644);
  write_temp("dsn-file", "host=/tmp dbname=from_file\n", 0600);
  write_temp("key-empty", "\n", 0600);
  auto config_with = [&](const std::string& name, const std::string& key_file, const std::string& dsn) {
    return write_temp(name, "centercode:\n"
                            "  base_url: https://company.centercode.com/api/v1\n"
                            "  api_key_file: " + key_file + "\n"
                            "warehouse:\n"
                            "  " + dsn + "\n" + kJob);
  };
  {
    LogCapture log;
    // Relative paths are relative to the config file's directory.
    Config c = load_config(config_with("private.yaml", "key-private", "dsn_file: dsn-file"), env_of({}));
    CHECK(c.centercode.api_key == secret);
    CHECK(c.centercode.api_key_file == temp_dir() + "/key-private");
    CHECK(c.jobs[0].api_key == secret);
    CHECK(c.warehouse.dsn == "host=/tmp dbname=from_file");
    CHECK(log.text().find("readable by every user") == std::string::npos);
  }
  {
    LogCapture log;
    Config c = load_config(config_with("public.yaml", temp_dir() + "/key-public", "dsn: x"), env_of({}));
    CHECK(c.centercode.api_key == secret);  // CRLF trimmed
    const std::string text = log.text();
    CHECK(text.find("key-public") != std::string::npos);
    CHECK(text.find("readable by every user") != std::string::npos);
    CHECK(text.find(":3:17:") != std::string::npos);
    CHECK(text.find(secret) == std::string::npos);
  }
  auto missing = problems_of(config_with("missing.yaml", "no-such-key", "dsn: x"), env_of({}));
  REQUIRE(missing.size() == 1);
  check_at(problem_with(missing, "centercode.api_key_file: cannot read 'no-such-key'"), 3, 17);
  auto empty = problems_of(config_with("empty-key.yaml", "key-empty", "dsn: x"), env_of({}));
  problem_with(empty, "centercode.api_key_file: 'key-empty' is empty");
  auto both = problems_of(write_temp("both.yaml", "centercode:\n"
                                                  "  base_url: https://company.centercode.com/api/v1\n"
                                                  "  api_key: abc123abc123\n"
                                                  "  api_key_file: key-private\n"
                                                  "warehouse: {dsn: x}\n" + kJob), env_of({}));
  check_at(problem_with(both, "set only one of api_key and api_key_file"), 4, 17);
}

TEST_CASE("every job needs an API key: its own or the default", "[config][secrets]") {
  auto path = write_temp("keys.yaml",
                         "centercode:\n"
                         "  base_url: https://company.centercode.com/api/v1\n"
                         "warehouse: {dsn: x}\n"
                         "jobs:\n"
                         "  - name: own_key\n"
                         "    source: {scope: community_user, report: NegativeScore}\n"
                         "    api_key: ${OWN_KEY}\n"
                         "  - name: no_key\n"                                                // 8
                         "    source: {scope: community_project, report: UserTotals}\n");
  auto problems = problems_of(path, env_of({{"OWN_KEY", "11112222333344445555666677778888"}}));
  REQUIRE(problems.size() == 1);
  check_at(problem_with(problems, "job 'no_key' has no API key"), 8, 5);

  auto ok = write_temp("keys_ok.yaml", kHeader +
                                           "jobs:\n"
                                           "  - name: own_key\n"
                                           "    source: {scope: community_user, report: NegativeScore}\n"
                                           "    api_key: ${OWN_KEY}\n"
                                           "  - name: default_key\n"
                                           "    source: {scope: community_project, report: UserTotals}\n");
  Config c = load_config(ok, env_of({{"OWN_KEY", "11112222333344445555666677778888"},
                                     {"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "x"}}));
  CHECK(c.jobs[0].api_key == "11112222333344445555666677778888");
  CHECK(c.jobs[1].api_key == kTestKey);
}
