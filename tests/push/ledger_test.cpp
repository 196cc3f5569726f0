// The push ledger end to end: once / on_change, crash between send and record, refused rows,
// max_failures, run history, and --dry-run.
#include <catch2/catch.hpp>

#include <cstdio>

#include "push/ledger.h"
#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

JobSpec data_job(PushEnv& env, const std::string& name, PushMode mode) {
  auto job = env.job(name, PushTargetKind::DataListener, Scope::ProjectUser, "WidgetPro", "Performance",
                     "SELECT k, find, performance FROM tiers ORDER BY k");
  job.push->mode = mode;
  return job;
}

bool mentions(const JobOutcome& out, const std::string& text) {
  for (const auto& m : out.messages)
    if (m.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("mode once never sends a row key twice; on_change resends only changed payloads", "[push][ledger]") {
  PushEnv env;
  env.exec("CREATE TABLE tiers (k int, find text, performance text)");
  env.exec("INSERT INTO tiers VALUES (1, 'jim', 'Gold'), (2, 'ann', 'Silver')");
  auto once = data_job(env, "tiers_once", PushMode::Once);
  auto on_change = data_job(env, "tiers_change", PushMode::OnChange);

  for (const auto* job : {&once, &on_change}) {
    JobOutcome out = env.run(*job);
    INFO(out.summary());
    REQUIRE(out.succeeded);
    CHECK(out.counts.inserted == 2);
  }
  CHECK(env.requests("POST").size() == 4);

  env.clear_requests();
  for (const auto* job : {&once, &on_change}) {
    JobOutcome out = env.run(*job);
    CHECK(out.counts.inserted == 0);
    CHECK(out.counts.unchanged == 2);
  }
  CHECK(env.requests("POST").empty());

  env.exec("UPDATE tiers SET performance = 'Platinum' WHERE k = 2");
  JobOutcome out = env.run(once);
  CHECK(out.counts.unchanged == 2);
  CHECK(env.requests("POST").empty());
  out = env.run(on_change);
  CHECK(out.counts.inserted == 1);
  CHECK(out.counts.unchanged == 1);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].body == R"({"k":2,"performance":"Platinum"})");
  auto ledger = env.ledger("tiers_change");
  CHECK(ledger[1][4].as<int>() == 2);  // attempts

  // The run history records push runs with their counts.
  auto runs = env.query("SELECT status, rows_read, inserted, unchanged FROM ccetl.runs WHERE job = 'tiers_change' "
                        "ORDER BY started_at DESC LIMIT 1");
  REQUIRE(runs.size() == 1);
  CHECK(std::string(runs[0][0].c_str()) == "succeeded");
  CHECK(runs[0][1].as<int>() == 2);
  CHECK(runs[0][2].as<int>() == 1);
  CHECK(runs[0][3].as<int>() == 1);
}

TEST_CASE("an intent without a result (crash between send and record) is reported unknown, not resent",
          "[push][ledger]") {
  PushEnv env;
  auto job = env.job("rel_crash", PushTargetKind::Release, Scope::ProjectUser, "WidgetPro", "Firmware",
                     "SELECT '1.0' AS k, 'v1.0' AS title");
  env.exec("INSERT INTO ccetl.push_log (job, row_key, payload_hash, attempts, state) "
           "VALUES ('rel_crash', '[\"1.0\"]', 'x', 1, 'intent')");
  JobOutcome out = env.run(job);
  INFO(out.summary());
  CHECK_FALSE(out.succeeded);  // an unknown row fails the run until a person resolves it
  CHECK(out.unknown == 1);
  CHECK(env.requests("POST").empty());
  CHECK(mentions(out, "[\"1.0\"]"));
  CHECK(mentions(out, "may or may not have been sent"));
  auto ledger = env.ledger("rel_crash");
  CHECK(std::string(ledger[0][1].c_str()) == "unknown");
  // Still not resent on the next run; `push retry` (mark_for_retry) allows it.
  out = env.run(job);
  CHECK(env.requests("POST").empty());
  CHECK(mentions(out, "outcome unknown"));
  CHECK(out.unknown == 1);
  CHECK(push::Ledger(env.dsn(), "rel_crash", false).mark_for_retry({"[\"1.0\"]"}).size() == 1);
  out = env.run(job);
  CHECK(out.succeeded);
  CHECK(out.counts.inserted == 1);
  CHECK(env.requests("POST").size() == 1);

  // Data listeners are idempotent: their intent rows are simply sent again.
  env.exec("CREATE TABLE tiers (k int, find text, performance text)");
  env.exec("INSERT INTO tiers VALUES (1, 'jim', 'Gold')");
  env.exec("INSERT INTO ccetl.push_log (job, row_key, payload_hash, attempts, state) "
           "VALUES ('tiers', '[\"1\"]', 'x', 1, 'intent')");
  env.clear_requests();
  out = env.run(data_job(env, "tiers", PushMode::Once));
  CHECK(out.counts.inserted == 1);
  CHECK(env.requests("POST").size() == 1);
}

TEST_CASE("a refused row records the API's description; failed rows are retried; max_failures stops the job",
          "[push][ledger]") {
  PushEnv env;
  env.exec("CREATE TABLE people (k int, email text)");
  env.exec("INSERT INTO people VALUES (1, ''), (2, 'ok@example.com')");
  auto job = env.job("people", PushTargetKind::UserImport, Scope::CommunityUser, "", "Mobile",
                     "SELECT k, email FROM people ORDER BY k");
  JobOutcome out = env.run(job);
  INFO(out.summary());
  CHECK_FALSE(out.succeeded);  // within max_failures (10): sending went on, but the run is failed
  CHECK(out.error.find("1 row(s) failed") == 0);
  CHECK(out.counts.rejected == 1);
  CHECK(out.counts.inserted == 1);
  auto ledger = env.ledger("people");
  CHECK(std::string(ledger[0][1].c_str()) == "failed");
  CHECK(ledger[0][2].as<int>() == 400);
  CHECK(std::string(ledger[0][3].c_str()).find("An email address is required.") != std::string::npos);

  env.clear_requests();
  out = env.run(job);
  CHECK(env.requests("POST").size() == 1);  // only the failed row is sent again
  CHECK(env.ledger("people")[0][4].as<int>() == 2);

  // max_failures: 2 tolerated, the third failure stops sending and fails the job.
  env.exec("INSERT INTO people SELECT g, '' FROM generate_series(3, 8) g");
  job.push->max_failures = 2;
  env.clear_requests();
  out = env.run(job);
  CHECK_FALSE(out.succeeded);
  CHECK(out.error.find("max_failures") != std::string::npos);
  CHECK(out.counts.rejected == 3);
  CHECK(env.requests("POST").size() == 3);
  auto runs = env.query("SELECT status FROM ccetl.runs WHERE job = 'people' ORDER BY started_at DESC LIMIT 1");
  CHECK(std::string(runs[0][0].c_str()) == "failed");
}

TEST_CASE("--dry-run prints what would be sent, without the key, and sends and records nothing", "[push][dryrun]") {
  PushEnv env;
  env.exec("CREATE TABLE tiers (k int, find text, performance text)");
  env.exec("INSERT INTO tiers VALUES (1, 'jim', 'Gold'), (2, 'ann', 'Silver')");
  auto job = data_job(env, "tiers_dry", PushMode::OnChange);
  std::FILE* out_file = std::tmpfile();
  env.tuning().dry_run_out = out_file;
  JobOutcome out = env.run(job, /*dry_run=*/true);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  std::rewind(out_file);
  std::string printed;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, out_file)) printed.append(buf, n);
  std::fclose(out_file);
  CHECK(printed.find("POST /projects/WidgetPro/userDataListeners/Performance?find=jim") != std::string::npos);
  CHECK(printed.find(R"({"k":2,"performance":"Silver"})") != std::string::npos);
  CHECK(printed.find(kPushKey) == std::string::npos);
  for (const auto& m : out.messages) CHECK(m.find(kPushKey) == std::string::npos);
  CHECK(env.requests().empty());
  CHECK(env.query("SELECT count(*) FROM ccetl.push_log")[0][0].as<int>() == 0);
  CHECK(env.query("SELECT count(*) FROM ccetl.runs")[0][0].as<int>() == 0);

  // After a real run, a dry run reads the ledger: nothing would be sent.
  env.tuning().dry_run_out = stdout;
  REQUIRE(env.run(job).succeeded);
  env.clear_requests();
  out_file = std::tmpfile();
  env.tuning().dry_run_out = out_file;
  out = env.run(job, true);
  CHECK(out.counts.unchanged == 2);
  CHECK(env.requests().empty());
  std::fclose(out_file);
}
