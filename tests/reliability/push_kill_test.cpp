// Deterministic kill trials for push runs. The simulator handles a create (it takes effect and is
// logged) and then holds the connection without answering; the test SIGKILLs `ccetl` once the
// log shows that request, so the kill provably falls between the ledger's intent and the
// answer. The rerun must send nothing twice and report the row `unknown` (exit 1); `ccetl push
// list` shows it and `ccetl push retry` makes the next run send it again. A feedback killed
// during its second upload resumes with the missing files only: one feedback, every file
// uploaded once.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "reliability/rel_support.h"
#include "reliability/soak_stats.h"

using namespace ccetl::test::rel;

namespace {

struct KillTarget {
  const char* name;
  const char* target;  // the YAML flow map of push.target
  const char* sql;     // two rows, in order; the first one's request is held
  const char* key;
  const char* path;    // the create's path in the simulator's log
  bool idempotent;
};

const std::vector<KillTarget>& kill_targets() {
  static const std::vector<KillTarget> kTargets = {
      {"comment", "{scope: project_feedback, project: WidgetPro, comment_listener: BugComment}",
       "SELECT 'BUG-000' || g AS find, 'a@b.c' AS author, 'msg ' || g AS message FROM generate_series(1, 2) g "
       "ORDER BY g",
       "[find]", "/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment", false},
      {"macro", "{scope: project_user, project: WidgetPro, macro_listener: Promotion}",
       "SELECT 'user' || g AS find FROM generate_series(1, 2) g ORDER BY g", "[find]",
       "/api/v1/projects/WidgetPro/userMacroListeners/Promotion", false},
      {"import", "{scope: community_user, user_import: Mobile}",
       "SELECT 'person' || g || '@example.com' AS email FROM generate_series(1, 2) g ORDER BY g", "[email]",
       "/api/v1/userImports/Mobile", false},
      {"feedback", "{scope: project, project: WidgetPro, feedback: Mobile}",
       "SELECT g AS k, 'jim@centercode.com' AS submitter, 'Idea ' || g AS summary, 'Details' AS description "
       "FROM generate_series(1, 2) g ORDER BY g",
       "[k]", "/api/v1/projects/WidgetPro/feedback/Mobile", false},
      {"release", "{scope: project, project: WidgetPro, release: Firmware}",
       "SELECT '1.' || g AS \\\"releaseValue\\\", 'v1.' || g AS title FROM generate_series(1, 2) g ORDER BY g",
       "[releaseValue]", "/api/v1/projects/WidgetPro/releaseTypes/Firmware", false},
      {"data", "{scope: community_user, data_listener: Performance}",
       "SELECT 'user' || g || '@example.com' AS find, 'Gold' AS performance FROM generate_series(1, 2) g ORDER BY g",
       "[find]", "/api/v1/userDataListeners/Performance", true},
  };
  return kTargets;
}

// How often the simulator logged `needle` (e.g. a POST to a path) since its last reset.
int64_t occurrences(RelEnv& env, const std::string& needle) {
  const std::string log = env.admin().get("/_sim/requests").body;
  int64_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++n;
  return n;
}

std::string post_to(const std::string& path) { return "\"method\":\"POST\",\"path\":\"" + path + "\""; }

std::string job_yaml(const KillTarget& t) {
  return std::string("  - name: ") + t.name + "\n    push:\n      target: " + t.target + "\n      sql: \"" + t.sql +
         "\"\n      key: " + t.key + "\n";
}

// Runs `job` and SIGKILLs it once the simulator has logged `count` requests matching `needle`.
ProcResult run_killed_when(RelEnv& env, const std::string& job, const std::string& needle, int64_t count) {
  ProcOptions kill;
  kill.kill_when = [&] { return occurrences(env, needle) >= count; };
  kill.timeout_ms = 60'000;
  return env.run_job(job, kill);
}

}  // namespace

TEST_CASE("SIGKILL while a create is held in flight: the rerun sends nothing twice and reports it unknown; "
          "push retry sends it again",
          "[crash][push]") {
  RelEnv env;
  for (const auto& t : kill_targets()) {
    DYNAMIC_SECTION(t.name) {
      env.write_config(job_yaml(t), "  request_timeout: 60s\n");
      env.admin().request("POST", "/_sim/reset");
      env.put_faults(std::string(R"({"rules": [{"kind": "hang", "times": 1, "path": ")") + t.path + "\"}]}");
      ProcResult killed = run_killed_when(env, t.name, post_to(t.path), 1);
      INFO(killed.all());
      REQUIRE(killed.killed);
      REQUIRE_FALSE(killed.timed_out);
      CHECK(occurrences(env, post_to(t.path)) == 1);  // the held create reached the server
      CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = '" + std::string(t.name) +
                       "' ORDER BY row_key LIMIT 1") == "intent");

      env.clear_faults();
      ProcResult rerun = env.run_job(t.name);
      INFO(rerun.all());
      CHECK(env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") == 0);
      if (t.idempotent) {
        // Setting a value twice is harmless: the intent row is simply sent again.
        CHECK(rerun.exit_code == 0);
        CHECK(occurrences(env, post_to(t.path)) == 3);
        CHECK(env.count("SELECT count(*) FROM ccetl.push_log WHERE job = 'data' AND state = 'succeeded'") == 2);
        continue;
      }
      CHECK(rerun.exit_code == 1);
      CHECK(rerun.out.find("1 sent, 0 unchanged, 0 failed, 1 unknown") != std::string::npos);
      CHECK(occurrences(env, post_to(t.path)) == 2);  // row 1 once (held), row 2 once
      auto states = env.query("SELECT state FROM ccetl.push_log WHERE job = '" + std::string(t.name) +
                              "' ORDER BY row_key");
      REQUIRE(states.size() == 2);
      CHECK(std::string(states[0][0].c_str()) == "unknown");
      CHECK(std::string(states[1][0].c_str()) == "succeeded");
      CHECK(env.scalar("SELECT status || ' ' || unknown FROM ccetl.runs WHERE job = '" + std::string(t.name) +
                       "' ORDER BY started_at DESC LIMIT 1") == "failed 1");

      // Still unknown on the next run: not sent, still reported.
      ProcResult again = env.run_job(t.name);
      CHECK(again.exit_code == 1);
      CHECK(occurrences(env, post_to(t.path)) == 2);

      // A person resolves it without SQL.
      ProcResult list = env.ccetl({"push", "list", "--job", t.name, "--state", "unknown"});
      INFO(list.all());
      CHECK(list.exit_code == 0);
      CHECK(list.out.find("unknown") != std::string::npos);
      CHECK(list.out.find("1 row(s)") != std::string::npos);
      CHECK(list.all().find(env.key()) == std::string::npos);
      const std::string row_key = env.scalar("SELECT row_key FROM ccetl.push_log WHERE job = '" +
                                             std::string(t.name) + "' AND state = 'unknown'");
      ProcResult retry = env.ccetl({"push", "retry", "--job", t.name, "--key", row_key});
      INFO(retry.all());
      CHECK(retry.exit_code == 0);
      ProcResult resent = env.run_job(t.name);
      INFO(resent.all());
      CHECK(resent.exit_code == 0);
      CHECK(occurrences(env, post_to(t.path)) == 3);
    }
  }
}

// A clean stop (SIGTERM, as Kubernetes and systemd send) while a create is held: the run records
// the row `unknown` itself (no `intent` left for the rerun to judge), exits non-zero within a
// few seconds, and nothing is sent twice. Catches a cancelled exchange that forgets its request
// was written: the row would be recorded `failed` and created again by the next run.
TEST_CASE("SIGTERM while a create is held in flight: recorded unknown by the stopped run, never sent twice",
          "[crash][push][sigterm]") {
  RelEnv env;
  for (const auto& t : kill_targets()) {
    DYNAMIC_SECTION(t.name) {
      env.write_config(job_yaml(t), "  request_timeout: 60s\n");
      env.admin().request("POST", "/_sim/reset");
      env.put_faults(std::string(R"({"rules": [{"kind": "hang", "times": 1, "path": ")") + t.path + "\"}]}");
      ProcOptions term;
      term.kill_signal = SIGTERM;
      term.kill_when = [&] { return occurrences(env, post_to(t.path)) >= 1; };
      term.timeout_ms = 60'000;
      ProcResult stopped = env.run_job(t.name, term);
      INFO(stopped.all());
      REQUIRE(stopped.signalled);  // the fault fired: the create was held when the signal came
      REQUIRE_FALSE(stopped.timed_out);
      CHECK(stopped.exit_code == 1);
      CHECK(stopped.elapsed < std::chrono::seconds(30));  // request_timeout is 60 s
      CHECK(occurrences(env, post_to(t.path)) == 1);
      CHECK(env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") == 0);
      const std::string first = "SELECT state FROM ccetl.push_log WHERE job = '" + std::string(t.name) +
                                "' ORDER BY row_key LIMIT 1";
      // A data listener sets a value: sending it again is harmless, so it is `failed`.
      CHECK(env.scalar(first) == (t.idempotent ? "failed" : "unknown"));

      env.clear_faults();
      ProcResult rerun = env.run_job(t.name);
      INFO(rerun.all());
      if (t.idempotent) {
        CHECK(rerun.exit_code == 0);
        CHECK(occurrences(env, post_to(t.path)) == 3);
        continue;
      }
      CHECK(rerun.exit_code == 1);
      CHECK(rerun.out.find("1 sent, 0 unchanged, 0 failed, 1 unknown") != std::string::npos);
      CHECK(occurrences(env, post_to(t.path)) == 2);  // the held row once, row 2 once
      CHECK(env.scalar(first) == "unknown");
    }
  }
}

TEST_CASE("SIGKILL during a feedback's second upload: the rerun uploads only the missing files, one feedback",
          "[crash][push][feedback]") {
  RelEnv env;
  const auto dir = env.dir() / "files";
  std::filesystem::create_directories(dir);
  for (const char* name : {"crash.log", "a.png", "b.png", "c.png"})
    std::ofstream(dir / name, std::ios::binary) << std::string(2000, name[0]);
  const std::string d = dir.string() + "/";
  env.write_config("  - name: fb\n    push:\n      target: {scope: project, project: WidgetPro, feedback: Mobile}\n"
                   "      sql: \"SELECT 1 AS k, 'jim@centercode.com' AS submitter, 'Presets' AS summary, 'More' AS "
                   "description, '" + d + "crash.log' AS log, ARRAY['" + d + "a.png', '" + d + "b.png', '" + d +
                       "c.png'] AS shots\"\n"
                   "      key: [k]\n      attachments: {CrashLog: log, Screenshot: shots}\n",
                   "  request_timeout: 60s\n");
  // Uploads go CrashLog first, then Screenshot a, b, c: hold the second upload overall.
  env.put_faults(R"({"rules": [{"kind": "hang", "times": 1, "path": "fileElements/Screenshot"}]})");
  const std::string upload = "/fileElements/Screenshot\"";
  ProcResult killed = run_killed_when(env, "fb", upload, 1);
  INFO(killed.all());
  REQUIRE(killed.killed);
  CHECK(occurrences(env, post_to("/api/v1/projects/WidgetPro/feedback/Mobile")) == 1);
  CHECK(env.scalar("SELECT state || ' ' || created_key FROM ccetl.push_log WHERE job = 'fb'") == "sent SUG-0023");

  env.clear_faults();
  ProcResult rerun = env.run_job("fb");
  INFO(rerun.all());
  CHECK(rerun.exit_code == 1);  // a.png's upload may or may not have arrived: unknown
  CHECK(occurrences(env, post_to("/api/v1/projects/WidgetPro/feedback/Mobile")) == 1);  // one feedback
  for (const char* name : {"crash.log", "a.png", "b.png", "c.png"}) {
    INFO(name);
    CHECK(occurrences(env, std::string("\"fileName\":\"") + name + "\"") == 1);  // every file uploaded once
  }
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "unknown");
  CHECK(env.scalar("SELECT string_agg(element_key || '/' || file_index || ':' || state, ' ' ORDER BY element_key, "
                   "file_index) FROM ccetl.push_files WHERE job = 'fb'") ==
        "CrashLog/0:uploaded Screenshot/0:unknown Screenshot/1:uploaded Screenshot/2:uploaded");
  ProcResult list = env.ccetl({"push", "list", "--job", "fb"});
  CHECK(list.out.find("3/4") != std::string::npos);

  // After checking Centercode, `push retry` uploads the unknown file again, still one feedback.
  CHECK(env.ccetl({"push", "retry", "--job", "fb", "--key", "1"}).exit_code == 0);
  ProcResult resumed = env.run_job("fb");
  INFO(resumed.all());
  CHECK(resumed.exit_code == 0);
  CHECK(occurrences(env, post_to("/api/v1/projects/WidgetPro/feedback/Mobile")) == 1);
  CHECK(occurrences(env, "\"fileName\":\"a.png\"") == 2);
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "succeeded");
}

// The same stop during a feedback's second upload: that file is recorded `unknown`, the rerun
// uploads only the files never started, and the feedback is created once.
TEST_CASE("SIGTERM during a feedback's second upload: the upload is unknown, the rest resume, one feedback",
          "[crash][push][feedback][sigterm]") {
  RelEnv env;
  const auto dir = env.dir() / "files";
  std::filesystem::create_directories(dir);
  for (const char* name : {"crash.log", "a.png", "b.png"})
    std::ofstream(dir / name, std::ios::binary) << std::string(2000, name[0]);
  const std::string d = dir.string() + "/";
  env.write_config("  - name: fb\n    push:\n      target: {scope: project, project: WidgetPro, feedback: Mobile}\n"
                   "      sql: \"SELECT 1 AS k, 'jim@centercode.com' AS submitter, 'Presets' AS summary, 'More' AS "
                   "description, '" + d + "crash.log' AS log, ARRAY['" + d + "a.png', '" + d +
                       "b.png'] AS shots\"\n"
                   "      key: [k]\n      attachments: {CrashLog: log, Screenshot: shots}\n",
                   "  request_timeout: 60s\n");
  env.put_faults(R"({"rules": [{"kind": "hang", "times": 1, "path": "fileElements/Screenshot"}]})");
  ProcOptions term;
  term.kill_signal = SIGTERM;
  term.kill_when = [&] { return occurrences(env, "/fileElements/Screenshot\"") >= 1; };
  ProcResult stopped = env.run_job("fb", term);
  INFO(stopped.all());
  REQUIRE(stopped.signalled);
  REQUIRE_FALSE(stopped.timed_out);
  CHECK(stopped.exit_code == 1);
  CHECK(env.scalar("SELECT string_agg(element_key || '/' || file_index || ':' || state, ' ' ORDER BY element_key, "
                   "file_index) FROM ccetl.push_files WHERE job = 'fb'") ==
        "CrashLog/0:uploaded Screenshot/0:unknown Screenshot/1:pending");

  env.clear_faults();
  ProcResult rerun = env.run_job("fb");
  INFO(rerun.all());
  CHECK(rerun.exit_code == 1);  // a.png stays unknown until a person resolves it
  CHECK(occurrences(env, post_to("/api/v1/projects/WidgetPro/feedback/Mobile")) == 1);
  for (const char* name : {"crash.log", "a.png", "b.png"}) {
    INFO(name);
    CHECK(occurrences(env, std::string("\"fileName\":\"") + name + "\"") == 1);
  }
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "unknown");

  // A person finds a.png in Centercode: --applied settles it and nothing is uploaded again.
  ProcResult applied = env.ccetl({"push", "retry", "--job", "fb", "--applied"});
  INFO(applied.all());
  CHECK(applied.exit_code == 0);
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "succeeded");
  ProcResult settled = env.run_job("fb");
  INFO(settled.all());
  CHECK(settled.exit_code == 0);
  CHECK(occurrences(env, "\"fileName\":\"a.png\"") == 1);
  CHECK(occurrences(env, post_to("/api/v1/projects/WidgetPro/feedback/Mobile")) == 1);
}

namespace {

// The soak form: each trial pushes a new batch of comments and holds a seeded random request of
// the batch until ccetl is killed; the rerun finishes the batch. Every row ends in the ledger;
// sent rows were POSTed exactly once, the held row once and `unknown`.
SoakStats push_trials(int trials, int batch, uint32_t seed) {
  SoakStats stats;
  stats.scenario = "kill-push";
  RelEnv env;
  const std::string path = "/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment";
  auto config = [&](int trial) {
    int from = (trial - 1) * batch + 1, to = trial * batch;
    env.write_config("  - name: comments\n    push:\n"
                     "      target: {scope: project_feedback, project: WidgetPro, comment_listener: BugComment}\n"
                     "      sql: \"SELECT 'K-' || lpad(g::text, 5, '0') AS find, 'a@b.c' AS author, 'msg ' || g AS "
                     "message FROM generate_series(" + std::to_string(from) + ", " + std::to_string(to) +
                         ") g ORDER BY g\"\n      key: [find]\n",
                     "  request_timeout: 60s\n");
  };
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, batch - 1);
  int64_t held_total = 0;
  for (int trial = 1; trial <= trials; ++trial) {
    config(trial);
    const int skip = pick(rng);
    env.put_faults(R"({"rules": [{"kind": "hang", "times": 1, "skip": )" + std::to_string(skip) + R"(, "path": ")" +
                   path + "\"}]}");
    const int64_t before = occurrences(env, post_to(path));
    ProcResult killed = run_killed_when(env, "comments", post_to(path), before + skip + 1);
    ++stats.trials;
    if (killed.killed && !killed.timed_out) ++stats.faults;
    else ++stats.leaks;  // the held request never came, or the run hung
    ++held_total;
    env.clear_faults();
    ProcResult next = env.run_job("comments");
    INFO("trial " << trial << ", held request " << skip + 1 << ": " << next.all());
    // Every rerun fails by design (the held row is unknown until a person resolves it), so
    // `completed` (runs that exited 0) stays 0 in the soak summary.
    if (next.exit_code == 0) ++stats.runs_completed;
    CHECK(next.exit_code == 1);
    if (env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") != 0) ++stats.leaks;
  }
  const std::string log = env.admin().get("/_sim/requests").body;
  auto posts = [&](const std::string& key) {
    int64_t n = 0;
    for (size_t pos = log.find("find=" + key); pos != std::string::npos; pos = log.find("find=" + key, pos + 1)) ++n;
    return n;
  };
  CHECK(env.count("SELECT count(*) FROM ccetl.push_log WHERE job = 'comments'") == int64_t(trials) * batch);
  CHECK(env.count("SELECT count(*) FROM ccetl.push_log WHERE state = 'unknown'") == held_total);
  for (const auto& row : env.query("SELECT row_key, state FROM ccetl.push_log WHERE job = 'comments'")) {
    std::string key = row[0].c_str(), state = row[1].c_str();
    auto at = key.find("K-");
    int64_t n = at == std::string::npos ? -1 : posts(key.substr(at, 7));
    ++stats.rows_compared;
    bool ok = (state == "unknown" || state == "succeeded") && n == 1;
    INFO(key << " " << state << " posted " << n << " time(s)");
    CHECK(ok);
    if (!ok) ++stats.mismatches;
  }
  return stats;
}

}  // namespace

TEST_CASE("held-request kill trials on a comment listener: no row sent twice, none lost", "[crash][push]") {
  SoakStats s = push_trials(3, 5, 77);
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
}

TEST_CASE("soak: many kill trials on push runs", "[.soak][crash]") {
  SoakStats s = push_trials(env_int("CCETL_SOAK_PUSH_TRIALS", 50), 10, static_cast<uint32_t>(env_int("CCETL_SOAK_SEED", 1)));
  s.print();
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
}
