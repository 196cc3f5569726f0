// Push safety against a server that records each create and then (a) answers after the
// client's timeout, (b) answers 502, (c) closes the connection without answering, (d) answers
// 429 first: exactly one create per row for every non-idempotent target over two runs; ledger
// `unknown` for (a)-(c) and the run failed; sent after the wait for (d). `push retry` (the
// ledger's mark_for_retry) makes the next run send again. A data listener under 502 is retried.
#include <catch2/catch.hpp>

#include <atomic>

#include "pipeline/progress.h"

#include "push/ledger.h"
#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

struct Target {
  const char* name;
  PushTargetKind kind;
  Scope scope;
  const char* project;
  const char* key;
  const char* sql;
  std::vector<std::string> key_columns;
  const char* path;  // the create's path, as the simulator logs it
};

const std::vector<Target>& targets() {
  static const std::vector<Target> kTargets = {
      {"comment", PushTargetKind::CommentListener, Scope::ProjectFeedback, "WidgetPro", "BugComment",
       "SELECT 'BUG-0001' AS find, 'admin@centercode.com' AS author, 'Thanks!' AS message", {"find"},
       "/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment"},
      {"macro", PushTargetKind::MacroListener, Scope::ProjectUser, "WidgetPro", "Promotion",
       "SELECT 'jim' AS k, 'jim' AS find", {"k"}, "/api/v1/projects/WidgetPro/userMacroListeners/Promotion"},
      {"import", PushTargetKind::UserImport, Scope::CommunityUser, "", "Mobile", "SELECT 'ok@example.com' AS email",
       {"email"}, "/api/v1/userImports/Mobile"},
      {"feedback", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
       "SELECT 1 AS k, 'jim@centercode.com' AS submitter, 'Lighting presets' AS summary, 'More please' AS "
       "description, 23795 AS topic",
       {"k"}, "/api/v1/projects/WidgetPro/feedback/Mobile"},
      {"release", PushTargetKind::Release, Scope::ProjectUser, "WidgetPro", "Firmware",
       "SELECT '0.1.1' AS \"releaseValue\", 'Software v0.1.1' AS title, '2020-01-01T00:00:00Z' AS \"startDate\"",
       {"releaseValue"}, "/api/v1/projects/WidgetPro/releaseTypes/Firmware"},
  };
  return kTargets;
}

struct Fault {
  const char* name;
  const char* rule;  // {path} is replaced by the target's path
  const char* error_says;
};

const std::vector<Fault>& unknown_faults() {
  static const std::vector<Fault> kFaults = {
      {"(a) answers after the client's timeout", R"({"kind": "latency", "latencyMs": 2500, "path": "{path}"})",
       "timeout"},
      {"(b) creates, then answers 502", R"({"kind": "error", "status": 502, "after": true, "path": "{path}"})", "502"},
      {"(c) creates, then closes without answering", R"({"kind": "close", "path": "{path}"})", "closed"},
  };
  return kFaults;
}

std::string rule_for(const char* rule, const std::string& path) {
  std::string r = rule;
  r.replace(r.find("{path}"), 6, path);
  return "[" + r + "]";
}

// POSTs to `path` the simulator received (and, through `statuses`, what it answered).
int creates(PushEnv& env, const std::string& path, std::vector<int>* statuses = nullptr) {
  int n = 0;
  for (const auto& r : env.requests("POST")) {
    if (r.path != path) continue;
    ++n;
    if (statuses) statuses->push_back(r.status);
  }
  return n;
}

std::string state_of(PushEnv& env, const std::string& job) {
  auto rows = env.ledger(job);
  return rows.size() == 1 ? rows[0][1].c_str() : "(" + std::to_string(rows.size()) + " ledger rows)";
}

}  // namespace

TEST_CASE("a create whose answer is lost is sent exactly once over two runs and recorded unknown; "
          "push retry sends it again",
          "[push][at_most_once]") {
  PushEnv env;
  env.set_client([](ClientOptions& o) {
    o.request_timeout = std::chrono::milliseconds(1000);
    o.max_attempts = 4;
  });
  for (const auto& fault : unknown_faults()) {
    for (const auto& t : targets()) {
      const std::string job_name = std::string(t.name) + "_" + std::string(fault.name).substr(1, 1);
      DYNAMIC_SECTION(fault.name << " / " << t.name) {
        env.clear_requests();
        auto job = env.job(job_name, t.kind, t.scope, t.project, t.key, t.sql, t.key_columns);
        job.push->mode = PushMode::Once;
        env.put_faults(rule_for(fault.rule, t.path));

        JobOutcome first = env.run(job);
        INFO(first.summary());
        for (const auto& m : first.messages) INFO(m);
        std::vector<int> statuses;
        CHECK(creates(env, t.path, &statuses) == 1);
        CHECK(state_of(env, job_name) == "unknown");
        CHECK_FALSE(first.succeeded);
        CHECK(first.unknown == 1);
        CHECK(first.counts.inserted == 0);
        auto ledger = env.ledger(job_name);
        REQUIRE(ledger.size() == 1);
        std::string error = ledger[0][3].c_str();
        INFO("ledger error: " << error);
        CHECK(error.find(fault.error_says) != std::string::npos);
        CHECK(error.find(kPushKey) == std::string::npos);
        if (std::string(fault.error_says) == "502") CHECK(statuses == std::vector<int>{502});  // the fault fired

        // Second run, server healthy again: still nothing sent, still reported.
        env.put_faults("[]");
        JobOutcome second = env.run(job);
        INFO(second.summary());
        CHECK(creates(env, t.path) == 1);
        CHECK_FALSE(second.succeeded);
        CHECK(second.unknown == 1);
        CHECK(second.summary().find("1 unknown") != std::string::npos);
        CHECK(env.query("SELECT status, unknown FROM ccetl.runs WHERE job = '" + job_name +
                        "' ORDER BY started_at DESC LIMIT 1")[0][1]
                  .as<int64_t>() == 1);

        // A person checked Centercode and asks for a resend: the next run sends it again.
        push::Ledger ledger_rw(env.dsn(), job_name, false);
        CHECK(ledger_rw.mark_for_retry({}).size() == 1);
        JobOutcome third = env.run(job);
        INFO(third.summary());
        CHECK(creates(env, t.path) == 2);
        CHECK(third.succeeded);
        CHECK(state_of(env, job_name) == "succeeded");
      }
    }
  }
}

TEST_CASE("(d) a create answered 429 first is sent after the wait, once", "[push][at_most_once]") {
  PushEnv env;
  for (const auto& t : targets()) {
    DYNAMIC_SECTION("429 / " << t.name) {
      env.clear_requests();
      const std::string job_name = std::string(t.name) + "_d";
      auto job = env.job(job_name, t.kind, t.scope, t.project, t.key, t.sql, t.key_columns);
      job.push->mode = PushMode::Once;
      env.put_faults(rule_for(R"({"kind": "rate_limit", "times": 1, "path": "{path}"})", t.path));
      JobOutcome first = env.run(job);
      INFO(first.summary());
      std::vector<int> statuses;
      CHECK(creates(env, t.path, &statuses) == 2);
      REQUIRE(statuses.size() == 2);
      CHECK(statuses[0] == 429);  // the fault fired
      CHECK(statuses[1] / 100 == 2);
      CHECK(first.succeeded);
      CHECK(state_of(env, job_name) == "succeeded");
      env.put_faults("[]");
      JobOutcome second = env.run(job);
      CHECK(second.succeeded);
      CHECK(second.counts.unchanged == 1);
      CHECK(creates(env, t.path) == 2);  // not sent again
    }
  }
}

TEST_CASE("a data listener answered 502 after applying is retried and succeeds", "[push][at_most_once]") {
  PushEnv env;
  const std::string path = "/api/v1/userDataListeners/Performance";
  env.put_faults(rule_for(R"({"kind": "error", "status": 502, "after": true, "times": 1, "path": "{path}"})", path));
  auto job = env.job("tiers", PushTargetKind::DataListener, Scope::CommunityUser, "", "Performance",
                     "SELECT 'sam@gmail.com' AS find, 'Excellent' AS performance", {"find"});
  JobOutcome out = env.run(job);
  INFO(out.summary());
  CHECK(out.succeeded);
  CHECK(out.counts.inserted == 1);
  std::vector<int> statuses;
  CHECK(creates(env, path, &statuses) == 2);
  CHECK(statuses == std::vector<int>{502, 201});
  CHECK(state_of(env, "tiers") == "succeeded");
}

namespace {

// Stops the run (as SIGTERM will, through RunOptions::cancel) once `after` rows were handled.
class StopAfter : public ProgressReporter {
 public:
  StopAfter(std::atomic<bool>& cancel, int64_t after) : cancel_(cancel), after_(after) {}
  void update(const std::string&, int64_t, int64_t, int64_t rows) override {
    if (rows >= after_) cancel_ = true;
  }
  void finish(const std::string&) override {}

 private:
  std::atomic<bool>& cancel_;
  int64_t after_;
};

}  // namespace

TEST_CASE("a stopped push run sends no further row; what was sent stays recorded", "[push][at_most_once]") {
  PushEnv env;
  auto job = env.job("stop", PushTargetKind::CommentListener, Scope::ProjectFeedback, "WidgetPro", "BugComment",
                     "SELECT 'BUG-000' || g AS find, 'a@b.c' AS author, 'm' AS message FROM generate_series(1, 3) g "
                     "ORDER BY g",
                     {"find"});
  std::atomic<bool> cancel{false};
  StopAfter stop(cancel, 1);
  RunOptions options;
  options.cancel = &cancel;
  options.progress = &stop;
  JobOutcome out = env.run(job, options);
  INFO(out.summary());
  CHECK_FALSE(out.succeeded);
  CHECK(out.error == "cancelled");
  CHECK(out.counts.inserted == 1);
  CHECK(creates(env, "/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment") == 1);
  auto ledger = env.ledger("stop");
  REQUIRE(ledger.size() == 1);
  CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
  CHECK(std::string(env.query("SELECT status FROM ccetl.runs WHERE job = 'stop'")[0][0].c_str()) == "failed");
}
