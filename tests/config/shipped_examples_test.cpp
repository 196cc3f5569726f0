// Every example file shipped in config/ must load without problems.
#include <dirent.h>

#include <algorithm>

#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

std::vector<std::string> shipped_files() {
  std::vector<std::string> files;
  const std::string dir = source_dir() + "/config";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") files.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("the example files in config/ load without problems", "[config][examples]") {
  auto files = shipped_files();
  REQUIRE(files.size() >= 2);
  auto env = env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "host=/tmp dbname=ccetl"}});
  for (const auto& file : files) {
    INFO(file);
    try {
      Config c = load_config(file, env);
      CHECK_FALSE(c.jobs.empty());
      CHECK(c.centercode.base_url == "https://company.centercode.com/api/v1");
    } catch (const ConfigError& e) {
      FAIL(e.what());
    }
  }
  // Against the simulator over plain http, as the demo runs them.
  auto sim = env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "host=/tmp dbname=ccetl"},
                     {"CENTERCODE_BASE_URL", "http://127.0.0.1:8080/api/v1"}, {"CCETL_ALLOW_INSECURE_HTTP", "true"}});
  for (const auto& file : files) {
    INFO(file);
    CHECK_NOTHROW(load_config(file, sim));
  }
}

TEST_CASE("the examples cover every scope and every push target kind", "[config][examples]") {
  auto env = env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "x"}});
  std::vector<Scope> scopes;
  std::vector<PushTargetKind> kinds;
  bool lookup = false, fan_out = false;
  for (const auto& file : shipped_files()) {
    Config c = load_config(file, env);
    for (const auto& job : c.jobs) {
      if (job.source) {
        scopes.push_back(job.source->scope);
        lookup = lookup || !job.source->lookup.empty();
      }
      if (job.push) kinds.push_back(job.push->kind);
      fan_out = fan_out || job.fans_out();
    }
  }
  for (Scope s : {Scope::CommunityUser, Scope::CommunityProject, Scope::ProjectUser, Scope::ProjectFeedback}) {
    CHECK(std::count(scopes.begin(), scopes.end(), s) >= 1);
  }
  for (PushTargetKind k : {PushTargetKind::DataListener, PushTargetKind::CommentListener, PushTargetKind::MacroListener,
                           PushTargetKind::UserImport, PushTargetKind::Feedback, PushTargetKind::Release}) {
    CHECK(std::count(kinds.begin(), kinds.end(), k) >= 1);
  }
  CHECK(lookup);
  CHECK(fan_out);
}
