// LoadOptions: unset variables as placeholders (validate --allow-unset-env) and the DSN check
// hook (validate's offline libpq check).
#include <catch2/catch.hpp>

#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

std::string file_with(const std::string& base_url, const std::string& dsn) {
  return write_temp("options.yaml", "centercode:\n  base_url: " + base_url + "\n  api_key: ${KEY}\n"
                                    "warehouse:\n  dsn: \"" + dsn + "\"\njobs:\n"
                                    "  - name: a\n    source: {scope: community_user, report: R}\n");
}

LoadOptions placeholders() {
  LoadOptions options;
  options.allow_unset_env = true;
  return options;
}

}  // namespace

TEST_CASE("allow_unset_env: values using unset variables are neither reported nor checked") {
  // Whole values and parts of values; the URL would fail its format check if it were checked.
  std::string path = file_with("${BASE_URL}", "host=${PGHOST} dbname=w");
  Config c = load_config(path, env_of({}), placeholders());
  CHECK(c.unset_env == std::vector<std::string>{"BASE_URL", "KEY", "PGHOST"});
  CHECK(c.centercode.api_key.empty());
  CHECK(c.warehouse.dsn.empty());
  CHECK(c.jobs.size() == 1);

  // Without the option the same file fails, naming each variable.
  auto problems = problems_of(path, env_of({}));
  CHECK(problems.size() == 3);

  // A set variable is used as is, and a default makes an unset variable no placeholder.
  path = file_with("${BASE_URL:-https://c.example/api/v1}", "host=${PGHOST} dbname=w");
  c = load_config(path, env_of({{"PGHOST", "db"}}), placeholders());
  CHECK(c.unset_env == std::vector<std::string>{"KEY"});
  CHECK(c.centercode.base_url == "https://c.example/api/v1");
  CHECK(c.warehouse.dsn == "host=db dbname=w");
}

TEST_CASE("check_dsn: its message is reported at the DSN's line, secrets masked") {
  std::string path = file_with("https://c.example/api/v1", "host=db password=verysecret99 x");
  LoadOptions options;
  std::string seen;
  options.check_dsn = [&](const std::string& dsn) -> std::optional<std::string> {
    seen = dsn;
    return "bad: " + dsn;
  };
  try {
    load_config(path, env_of({{"KEY", kTestKey}}), options);
    FAIL("loaded");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].mark.line == 5);
    CHECK_THAT(e.problems()[0].message, Catch::StartsWith("warehouse.dsn: bad: "));
    CHECK(e.problems()[0].message.find("verysecret99") == std::string::npos);
  }
  CHECK(seen == "host=db password=verysecret99 x");
  // Not called for a placeholder.
  seen.clear();
  load_config(file_with("https://c.example/api/v1", "${DSN}"), env_of({{"KEY", kTestKey}}),
              [&] {
                LoadOptions o = placeholders();
                o.check_dsn = options.check_dsn;
                return o;
              }());
  CHECK(seen.empty());
}
