// The default `mode` of a push job follows its target: `once` for every target that creates or
// triggers something (a changed row must not silently create a second feedback), `on_change`
// for data listeners. Written explicitly, either mode stays available.
#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

Config with_push(const std::string& target, const std::string& extra = "") {
  auto path = write_temp("push_mode.yaml", kHeader +
                                               "jobs:\n"
                                               "  - name: p\n"
                                               "    push:\n"
                                               "      target: " + target + "\n"
                                               "      sql: SELECT 1 AS k, 'x' AS find\n"
                                               "      key: [k]\n" + extra);
  return load_config(path, default_env());
}

}  // namespace

TEST_CASE("push mode defaults to once for non-idempotent targets and on_change for data listeners", "[config]") {
  const std::vector<std::string> creating = {
      "{scope: project, project: WidgetPro, feedback: Mobile}",
      "{scope: project, project: WidgetPro, release: Firmware}",
      "{scope: community_user, user_import: Mobile}",
      "{scope: community_user, comment_listener: UserComment}",
      "{scope: community_user, macro_listener: Enrich}",
  };
  for (const auto& target : creating) {
    INFO(target);
    Config c = with_push(target);
    CHECK(c.jobs[0].push->mode == PushMode::Once);
    Config explicit_change = with_push(target, "      mode: on_change\n");
    CHECK(explicit_change.jobs[0].push->mode == PushMode::OnChange);
  }
  Config data = with_push("{scope: community_user, data_listener: Performance}");
  CHECK(data.jobs[0].push->mode == PushMode::OnChange);
  Config data_once = with_push("{scope: community_user, data_listener: Performance}", "      mode: once\n");
  CHECK(data_once.jobs[0].push->mode == PushMode::Once);
}
