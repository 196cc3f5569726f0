// User imports: email bodies, status polling to Succeeded and Failed, the polling bound, and
// resuming an operation whose status a crashed run never followed.
#include <catch2/catch.hpp>

#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {
bool mentions_pending(const JobOutcome& out) {
  for (const auto& m : out.messages)
    if (m.find("still Pending/Processing") != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("user imports post email and poll to Succeeded or Failed, in both scopes", "[push][import][async]") {
  PushEnv env;
  struct Case {
    Scope scope;
    std::string project, path;
  };
  std::vector<Case> cases = {{Scope::CommunityUser, "", "/api/v1/userImports/Mobile"},
                             {Scope::ProjectUser, "WidgetPro", "/api/v1/projects/WidgetPro/userImports/Mobile"}};
  int n = 0;
  for (const auto& c : cases) {
    env.clear_requests();
    auto job = env.job("import_" + std::to_string(n++), PushTargetKind::UserImport, c.scope, c.project, "Mobile",
                       "SELECT e AS email FROM unnest(ARRAY['ok@example.com','will.fail@example.com']) e", {"email"});
    JobOutcome out = env.run(job);
    INFO(out.summary());
    CHECK_FALSE(out.succeeded);  // a failed row fails the run; the sent row stays sent
    CHECK(out.error.find("1 row(s) failed, 0 row(s) of unknown outcome") == 0);
    CHECK(out.counts.inserted == 1);
    CHECK(out.counts.rejected == 1);
    auto posts = env.requests("POST");
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].path == c.path);
    CHECK(posts[0].body == R"({"email":"ok@example.com"})");
    CHECK(posts[1].body == R"({"email":"will.fail@example.com"})");
    auto ledger = env.ledger(job.name);
    REQUIRE(ledger.size() == 2);
    CHECK(std::string(ledger[0][0].c_str()) == "[\"ok@example.com\"]");
    CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
    CHECK(std::string(ledger[1][1].c_str()) == "failed");
    CHECK(std::string(ledger[1][6].c_str()) == "Failed");
  }
}

TEST_CASE("polling is bounded: an operation still queued keeps its status endpoint and the next run follows it",
          "[push][import][async]") {
  struct Queued {
    const char* name;
    PushTargetKind kind;
    Scope scope;
    const char* project;
    const char* key;
    const char* sql;
    const char* status_path;
  };
  const std::vector<Queued> cases = {
      {"import_slow", PushTargetKind::UserImport, Scope::CommunityUser, "", "Mobile",
       "SELECT 'slow@example.com' AS email", "/userImports/Mobile/status/"},
      {"macro_slow", PushTargetKind::MacroListener, Scope::ProjectUser, "WidgetPro", "Promotion",
       "SELECT 'jim' AS email, 'jim' AS find", "/userMacroListeners/Promotion/status/"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      PushEnv env;
      auto job = env.job(c.name, c.kind, c.scope, c.project, c.key, c.sql, {"email"});
      env.tuning().poll.timeout = std::chrono::milliseconds(1);
      JobOutcome out = env.run(job);
      INFO(out.summary());
      REQUIRE(out.succeeded);
      CHECK(out.counts.inserted == 0);
      CHECK(out.unknown == 0);
      auto ledger = env.ledger(job.name);
      REQUIRE(ledger.size() == 1);
      CHECK(std::string(ledger[0][1].c_str()) == "sent");  // pending, not unknown
      CHECK(std::string(ledger[0][7].c_str()).find(c.status_path) != std::string::npos);
      CHECK(std::string(ledger[0][6].c_str()).empty());
      CHECK(mentions_pending(out));

      // The next run polls the kept status endpoint, without a second request.
      env.tuning().poll.timeout = std::chrono::milliseconds(5000);
      out = env.run(job);
      INFO(out.summary());
      CHECK(out.counts.inserted == 1);
      CHECK(env.requests("POST").size() == 1);
      ledger = env.ledger(job.name);
      CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
      CHECK(std::string(ledger[0][6].c_str()) == "Succeeded");
    }
  }
}
