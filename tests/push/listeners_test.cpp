// Data, comment and macro listeners in each of their scopes, against the real simulator.
#include <catch2/catch.hpp>

#include <future>

#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

struct Case {
  Scope scope;
  std::string project;
  std::string key;
  std::string path;  // as the simulator records it
};

}  // namespace

TEST_CASE("data listeners post the row's typed JSON body with find, in every scope", "[push][listener]") {
  PushEnv env;
  std::vector<Case> cases = {
      {Scope::CommunityUser, "", "Performance", "/api/v1/userDataListeners/Performance"},
      {Scope::ProjectUser, "WidgetPro", "Performance", "/api/v1/projects/WidgetPro/userDataListeners/Performance"},
      {Scope::ProjectFeedback, "WidgetPro", "CrashLog", "/api/v1/projects/WidgetPro/feedbackDataListeners/CrashLog"},
  };
  int n = 0;
  for (const auto& c : cases) {
    env.clear_requests();
    auto job = env.job("data_" + std::to_string(n++), PushTargetKind::DataListener, c.scope, c.project, c.key,
                       "SELECT 1 AS k, 'sam@gmail.com' AS find, 'Excellent' AS performance, 7 AS level, "
                       "true AS active, '{\"a\":[1,2]}'::jsonb AS extra");
    JobOutcome out = env.run(job);
    INFO(out.summary());
    REQUIRE(out.succeeded);
    CHECK(out.counts.rows_read == 1);
    CHECK(out.counts.inserted == 1);
    auto posts = env.requests("POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].path == c.path);
    CHECK(posts[0].status == 201);
    CHECK(posts[0].query.find("find=sam%40gmail.com") != std::string::npos);
    CHECK(posts[0].body == R"({"active":true,"extra":{"a":[1,2]},"k":1,"level":7,"performance":"Excellent"})");
    auto ledger = env.ledger(job.name);
    REQUIRE(ledger.size() == 1);
    CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
    CHECK(ledger[0][2].as<int>() == 201);
  }
}

TEST_CASE("comment listeners post author and message, in every scope", "[push][listener]") {
  PushEnv env;
  std::vector<Case> cases = {
      {Scope::CommunityUser, "", "UserComment", "/api/v1/userCommentListeners/UserComment"},
      {Scope::ProjectUser, "WidgetPro", "UserComment", "/api/v1/projects/WidgetPro/userCommentListeners/UserComment"},
      {Scope::ProjectFeedback, "WidgetPro", "BugComment", "/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment"},
  };
  int n = 0;
  for (const auto& c : cases) {
    env.clear_requests();
    auto job = env.job("comment_" + std::to_string(n++), PushTargetKind::CommentListener, c.scope, c.project, c.key,
                       "SELECT 'BUG-0001' AS find, 'admin@centercode.com' AS author, 'Thanks!' AS message",
                       {"find"});
    JobOutcome out = env.run(job);
    INFO(out.summary());
    REQUIRE(out.succeeded);
    CHECK(out.counts.inserted == 1);
    auto posts = env.requests("POST");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].path == c.path);
    CHECK(posts[0].query.find("find=BUG-0001") != std::string::npos);
    CHECK(posts[0].body == R"({"author":"admin@centercode.com","message":"Thanks!"})");
  }
}

TEST_CASE("macro listeners post only find, then follow the status to Succeeded or Failed", "[push][listener][async]") {
  PushEnv env;
  std::vector<Case> cases = {
      {Scope::CommunityUser, "", "Enrich", "/api/v1/userMacroListeners/Enrich"},
      {Scope::ProjectUser, "WidgetPro", "Promotion", "/api/v1/projects/WidgetPro/userMacroListeners/Promotion"},
      {Scope::ProjectFeedback, "WidgetPro", "ClosedInJIRA", "/api/v1/projects/WidgetPro/feedbackMacroListeners/ClosedInJIRA"},
  };
  int n = 0;
  for (const auto& c : cases) {
    env.clear_requests();
    auto job = env.job("macro_" + std::to_string(n++), PushTargetKind::MacroListener, c.scope, c.project, c.key,
                       "SELECT v AS k, v AS find, 'ignored' AS other FROM unnest(ARRAY['jim','will-fail']) v");
    JobOutcome out = env.run(job);
    INFO(out.summary());
    CHECK_FALSE(out.succeeded);  // the macro that ended Failed fails the run
    CHECK(out.counts.inserted == 1);
    CHECK(out.counts.rejected == 1);
    auto posts = env.requests("POST");
    REQUIRE(posts.size() == 2);
    for (const auto& p : posts) {
      CHECK(p.path == c.path);
      CHECK(p.status == 202);
      CHECK(p.body.empty());
    }
    CHECK(env.requests("GET").size() >= 2);  // status polls
    auto ledger = env.ledger(job.name);
    REQUIRE(ledger.size() == 2);
    CHECK(std::string(ledger[0][0].c_str()) == "[\"jim\"]");
    CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
    CHECK(std::string(ledger[0][6].c_str()) == "Succeeded");
    CHECK(std::string(ledger[0][7].c_str()).find(c.path.substr(7) + "/status/") != std::string::npos);
    CHECK(std::string(ledger[1][1].c_str()) == "failed");
    CHECK(std::string(ledger[1][6].c_str()) == "Failed");
  }
}

// Bug caught: the push query's READ ONLY transaction stayed open (holding a snapshot) for the
// whole run, while every request waited for the API: VACUUM could clean no
// table of the database for that long. With WITH HOLD it commits before the first request; the
// 1200 rows (three cursor batches of 500, fetched after that commit) all arrive.
TEST_CASE("a push run holds no open transaction while it sends", "[push][listener]") {
  PushEnv env;
  env.put_faults(R"([{"kind": "latency", "latencyMs": 5, "path": "userDataListeners/Performance"}])");
  auto job = env.job("long_push", PushTargetKind::DataListener, Scope::CommunityUser, "", "Performance",
                     "SELECT k, 'u' || k || '@example.com' AS find, 'Good' AS performance "
                     "FROM generate_series(1, 1200) AS k");
  auto run = std::async(std::launch::async, [&] { return env.run(job); });
  // Sample the database's sessions while the run sends (other than the sampling one).
  int64_t open_transactions = 0;
  int samples = 0;
  pqxx::connection watcher(env.dsn());
  while (run.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    pqxx::nontransaction tx(watcher);
    if (env.requests("POST").size() < 5) continue;  // not sending yet
    open_transactions = std::max(
        open_transactions,
        // The ledger's own writes are short transactions: only one open for a second counts.
        tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                 "pid <> pg_backend_pid() AND xact_start < now() - interval '1 second'")[0]
            .as<int64_t>());
    ++samples;
  }
  JobOutcome out = run.get();
  INFO(out.summary());
  REQUIRE(out.succeeded);
  CHECK(out.counts.inserted == 1200);
  CHECK(env.requests("POST").size() == 1200);
  CHECK(samples >= 3);  // the run was sampled while sending
  CHECK(open_transactions == 0);
}
