// SIGKILL the real `ccetl run` at seeded random moments. After every kill the table must equal a
// complete snapshot (the one before the run, or the one the run committed just before dying),
// the next run must mark the dead run `abandoned` and converge to the source row by row.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

#include "reliability/rel_support.h"
#include "reliability/soak_stats.h"

using namespace ccetl::test::rel;

namespace {

struct CrashParams {
  bool keyed = true;
  int trials = 10;
  int rows = 300;
  int per_page = 25;
  int latency_ms = 30;
  uint32_t seed = 1;
};

// The job under test reads report Crash (slowed by a latency fault so kills land mid-run); job
// `mirror` reads the same synthetic rows from report Mirror without faults, as a full refresh:
// after convergence both tables must hold identical rows, and exactly the source's IDs.
SoakStats crash_trials(const CrashParams& p) {
  SoakStats stats;
  stats.scenario = p.keyed ? "kill-keyed" : "kill-full-refresh";
  RelEnv env;
  env.put_dataset(synthetic_dataset("Crash", p.rows, p.per_page, 0));
  env.put_dataset(synthetic_dataset("Mirror", p.rows, 1000, 0));
  env.put_faults(R"({"rules": [{"kind": "latency", "latencyMs": )" + std::to_string(p.latency_ms) +
                 R"(, "path": "Crash"}]})");
  std::string jobs = "  - name: crash\n    source: {scope: project_feedback, project: Rel, report: Crash}\n";
  if (p.keyed) jobs += "    key: [ID]\n    deletes: hard\n";
  jobs += "  - name: mirror\n    source: {scope: project_feedback, project: Rel, report: Mirror}\n";
  env.write_config(jobs, "  max_in_flight: 2\n");

  // A clean first run tells how long the process takes and when its run starts (its `running`
  // row appears), so kill moments spread over the run itself, from its start to the process's
  // exit. Under the sanitizers startup (exec, ASan's set-up, config, connecting) and exit (the
  // leak check) take about as long as the run: moments drawn from the fork to 5/4 of the
  // process's time left too few kills inside runs there (2 or 3 of 10, 1 on a loaded machine).
  const auto forked = std::chrono::system_clock::now();
  ProcResult first = env.run_job("crash");
  INFO(first.all());
  REQUIRE(first.exit_code == 0);
  const int run_ms = static_cast<int>(first.elapsed.count());
  const double run_started = std::stod(env.scalar(
      "SELECT extract(epoch FROM started_at) FROM ccetl.runs WHERE job = 'crash' ORDER BY started_at LIMIT 1"));
  const double forked_at = std::chrono::duration<double>(forked.time_since_epoch()).count();
  const int startup_ms = std::clamp(static_cast<int>((run_started - forked_at) * 1000), 0, run_ms);
  std::mt19937 rng(p.seed);
  std::uniform_int_distribution<int> moment(startup_ms, run_ms + 10);

  for (int trial = 1; trial <= p.trials; ++trial) {
    // A new version of the source: ~20% of rows change, ~2% vanish.
    env.put_dataset(synthetic_dataset("Crash", p.rows, p.per_page, trial));
    env.put_dataset(synthetic_dataset("Mirror", p.rows, 1000, trial));
    const std::string before = env.checksum("crash");
    const int64_t abandoned_before = env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'abandoned'");

    ProcOptions kill;
    kill.kill_after_ms = moment(rng);
    ProcResult killed = env.run_job("crash", kill);
    ++stats.trials;
    if (killed.killed) ++stats.faults;
    const std::string after_kill = env.checksum("crash");
    const int64_t left_running = env.count("SELECT count(*) FROM ccetl.runs WHERE job = 'crash' AND status = 'running'");

    ProcResult next = env.run_job("crash");
    INFO("trial " << trial << ", killed after " << kill.kill_after_ms << " ms: " << next.all());
    CHECK(next.exit_code == 0);
    if (next.exit_code == 0) ++stats.runs_completed; else ++stats.mismatches;
    const std::string converged = env.checksum("crash");
    // Atomicity: what a kill leaves is the table before the run or the one it committed.
    bool atomic = after_kill == before || after_kill == converged;
    CHECK(atomic);
    if (!atomic) ++stats.mismatches;
    // The dead run is marked abandoned by the next run.
    CHECK(env.count("SELECT count(*) FROM ccetl.runs WHERE job = 'crash' AND status = 'running'") == 0);
    int64_t abandoned = env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'abandoned'") - abandoned_before;
    CHECK(abandoned == left_running);
    if (abandoned != left_running) ++stats.leaks;

    // Convergence, row by row: identical to a clean full load, and exactly the source's IDs.
    ProcResult mirror = env.run_job("mirror");
    REQUIRE(mirror.exit_code == 0);
    auto rows = env.row_hashes("crash");
    auto clean = env.row_hashes("mirror");
    auto source = env.source_ids("/projects/Rel/feedbackDataPackages/Mirror");
    stats.rows_compared += static_cast<int64_t>(rows.size());
    std::set<std::string> ids;
    for (const auto& [id, hash] : rows) ids.insert(id);
    CHECK(ids == source);
    CHECK(rows == clean);
    if (ids != source || rows != clean) ++stats.mismatches;
  }
  // Kills must actually have landed inside runs, or the test proves nothing.
  INFO("kill moments in [" << startup_ms << ", " << run_ms + 10 << "] ms: the clean run took " << run_ms
                           << " ms, its run started after " << startup_ms << " ms");
  CHECK(env.count("SELECT count(*) FROM ccetl.runs WHERE status = 'abandoned'") >= p.trials / 4);
  return stats;
}

}  // namespace

TEST_CASE("SIGKILL during a multi-page keyed run leaves a complete snapshot; the next run converges", "[crash]") {
  CrashParams p;
  p.keyed = true;
  p.trials = 10;
  p.seed = 20261129;
  SoakStats s = crash_trials(p);
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
}

TEST_CASE("SIGKILL during a full-refresh run leaves a complete snapshot; the next run converges", "[crash]") {
  CrashParams p;
  p.keyed = false;
  p.trials = 10;
  p.seed = 4242;
  SoakStats s = crash_trials(p);
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
}

TEST_CASE("soak: many kill trials on larger datasets", "[.soak][crash]") {
  for (bool keyed : {true, false}) {
    CrashParams p;
    p.keyed = keyed;
    p.trials = env_int("CCETL_SOAK_KILL_TRIALS", 200) / 2;
    p.rows = env_int("CCETL_SOAK_ROWS", 3000);
    p.per_page = env_int("CCETL_SOAK_PER_PAGE", 100);
    p.latency_ms = env_int("CCETL_SOAK_LATENCY_MS", 10);
    p.seed = static_cast<uint32_t>(env_int("CCETL_SOAK_SEED", 1)) + (keyed ? 0 : 1);
    SoakStats s = crash_trials(p);
    s.print();
    CHECK(s.mismatches == 0);
    CHECK(s.leaks == 0);
  }
}
