// warehouse.lock_timeout and warehouse.statement_timeout: defaults, values, bad values.
#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {
const std::string kJobs =
    "jobs:\n"
    "  - name: negative_score\n"
    "    source: {scope: community_user, report: NegativeScore}\n";
const std::string kCentercode =
    "centercode:\n"
    "  base_url: https://company.centercode.com/api/v1\n"
    "  api_key: ${CENTERCODE_API_KEY}\n";
}  // namespace

TEST_CASE("warehouse timeouts: 5 s lock_timeout and no statement_timeout by default", "[config]") {
  Config c = load_config(write_temp("timeouts_default.yaml", kHeader + kJobs), default_env());
  CHECK(c.warehouse.lock_timeout == std::chrono::seconds{5});
  CHECK_FALSE(c.warehouse.statement_timeout);
}

TEST_CASE("warehouse timeouts: both keys are read", "[config]") {
  Config c = load_config(write_temp("timeouts_set.yaml", kCentercode +
                                                             "warehouse:\n"
                                                             "  dsn: ${CCETL_PG_DSN}\n"
                                                             "  lock_timeout: 2s\n"
                                                             "  statement_timeout: 1h30m\n" +
                                                             kJobs),
                         default_env());
  CHECK(c.warehouse.lock_timeout == std::chrono::seconds{2});
  REQUIRE(c.warehouse.statement_timeout);
  CHECK(*c.warehouse.statement_timeout == std::chrono::seconds{5400});
}

TEST_CASE("warehouse timeouts: a bad value names the key and its line", "[config]") {
  auto path = write_temp("timeouts_bad.yaml", kCentercode +
                                                  "warehouse:\n"
                                                  "  dsn: ${CCETL_PG_DSN}\n"
                                                  "  lock_timeout: soon\n" +
                                                  kJobs);
  auto p = problem_with(problems_of(path), "warehouse.lock_timeout");
  CHECK(p.mark.line == 6);
}
