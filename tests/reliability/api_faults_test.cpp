// The API misbehaving: 5xx, 429 storms, resets, truncated bodies, hangs, TLS failures. Every run
// either completes with exactly the source's rows or fails cleanly within its time budget.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "reliability/rel_support.h"
#include "reliability/soak_stats.h"

using namespace ccetl::test;
using namespace ccetl::test::rel;

namespace {

const char* kJob = R"(  - name: api
    source: {scope: project_feedback, project: Rel, report: Api}
    key: [ID]
    deletes: hard
)";

// Runs job `api` once under the faults already installed and checks the outcome: exactly the
// source's IDs on success, the previous table and a message naming the job on failure, and
// never beyond `budget`.
void run_and_check(RelEnv& env, SoakStats& stats, std::chrono::seconds budget) {
  const std::string before = env.checksum("api");
  ProcOptions options;
  options.timeout_ms = static_cast<int>(budget.count()) * 1000;
  ProcResult r = env.run_job("api", options);
  INFO(r.all());
  ++stats.trials;
  CHECK_FALSE(r.timed_out);
  CHECK(r.elapsed <= budget);
  if (r.timed_out) ++stats.leaks;
  if (r.exit_code == 0) {
    ++stats.runs_completed;
    env.clear_faults();
    auto source = env.source_ids("/projects/Rel/feedbackDataPackages/Api");
    std::set<std::string> ids;
    for (const auto& [id, hash] : env.row_hashes("api")) ids.insert(id);
    stats.rows_compared += static_cast<int64_t>(ids.size());
    CHECK(ids == source);
    if (ids != source) ++stats.mismatches;
  } else {
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("job 'api' failed"));
    CHECK(env.checksum("api") == before);
    if (env.checksum("api") != before) ++stats.mismatches;
  }
}

// Requests the simulator's log shows an injected fault of `kind` acted on. The log's `fault`
// lists every fault that acted on a request, comma-separated (e.g. "error,reset").
int64_t faulted_with(RelEnv& env, const std::string& kind) {
  auto log = env.admin().get("/_sim/requests").body;
  const std::string needle = "\"fault\":\"";
  int64_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) {
    const size_t from = pos + needle.size();
    const std::string faults = "," + log.substr(from, log.find('"', from) - from) + ",";
    if (faults.find("," + kind + ",") != std::string::npos) ++n;
  }
  return n;
}

int64_t answered_with(RelEnv& env, int status) {
  auto log = env.admin().get("/_sim/requests").body;
  std::string needle = "\"status\":" + std::to_string(status);
  int64_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++n;
  return n;
}

const char* const kStormKinds[] = {"error", "rate_limit", "reset", "truncate"};

// Rounds of all four faults at a ratio of 8% each, plus one sure hit of each: the n-th request
// of the round (skip n-1, times 1) gets kind n. At 8% over the 5 to 15 requests of a round a
// kind can miss it, and a round that happened to miss one would prove nothing about it. The sure
// rules come first, so a ratio hit on the same request cannot mask theirs (the first status
// wins). After each run, before the next round's reset clears the log, the simulator's request
// log must show every kind acting on some request.
SoakStats fault_storm(int rounds, uint32_t seed) {
  SoakStats stats;
  stats.scenario = "api-fault-storm";
  RelEnv env;
  env.write_config(kJob, "  max_in_flight: 3\n  request_timeout: 2s\n  max_attempts: 6\n");
  for (int round = 0; round < rounds; ++round) {
    env.admin().request("POST", "/_sim/reset");  // clears recorded requests, datasets and faults
    env.put_dataset(synthetic_dataset("Api", 200, 20, round, 11));
    std::string sure, ratios;
    int skip = 0;
    for (const char* kind : kStormKinds) {
      const std::string k = R"({"kind": ")" + std::string(kind) + R"(", "path": "Api", )";
      sure += k + R"("skip": )" + std::to_string(skip++) + R"(, "times": 1}, )";
      ratios += std::string(ratios.empty() ? "" : ", ") + k + R"("ratio": 0.08})";
    }
    const std::string rules = sure + ratios;
    env.put_faults(R"({"seed": )" + std::to_string(seed + round) + R"(, "rules": [)" + rules + "]}");
    run_and_check(env, stats, std::chrono::seconds(60));
    for (const char* kind : kStormKinds) {
      const int64_t n = faulted_with(env, kind);
      INFO("round " << round << ": requests the simulator faulted with " << kind);
      CHECK(n > 0);
      stats.faults += n;
    }
  }
  return stats;
}

std::string make_cert(const std::filesystem::path& dir) {
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
                    "subjectAltName=DNS:localhost -keyout " + key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return "";
  return cert;
}

}  // namespace

TEST_CASE("20% of answers are 500: retried, the run completes with exactly the source's rows", "[api]") {
  RelEnv env;
  env.put_dataset(synthetic_dataset("Api", 200, 10, 0));
  env.put_faults(R"({"seed": 3, "rules": [{"kind": "error", "status": 500, "ratio": 0.2, "path": "Api"}]})");
  env.write_config(kJob, "  max_in_flight: 2\n");
  SoakStats stats;
  run_and_check(env, stats, std::chrono::seconds(60));
  CHECK(stats.runs_completed == 1);
  CHECK(answered_with(env, 500) > 0);
  CHECK(faulted_with(env, "error") == answered_with(env, 500));  // every 500 was an injected one
}

TEST_CASE("a 429 storm from the server's own rate limit: the run waits it out and completes", "[api]") {
  RelEnv env({"--rate-limit", "4"});
  env.put_dataset(synthetic_dataset("Api", 120, 10, 0));
  // The client is told the limit is far higher than the server's, so it runs into 429s.
  env.write_config(kJob, "  max_in_flight: 4\n  rate_limit: 100\n");
  SoakStats stats;
  run_and_check(env, stats, std::chrono::seconds(60));
  CHECK(stats.runs_completed == 1);
  CHECK(answered_with(env, 429) > 0);
}

TEST_CASE("connection resets and truncated bodies are retried; the run completes", "[api]") {
  RelEnv env;
  env.put_dataset(synthetic_dataset("Api", 200, 10, 0));
  env.put_faults(R"({"seed": 9, "rules": [{"kind": "reset", "ratio": 0.15, "path": "Api"},
                                          {"kind": "truncate", "ratio": 0.15, "path": "Api"}]})");
  env.write_config(kJob, "  max_in_flight: 2\n");
  SoakStats stats;
  run_and_check(env, stats, std::chrono::seconds(60));
  CHECK(stats.runs_completed == 1);
  // Both faults fired (with this seed and 20 pages, several times each).
  CHECK(faulted_with(env, "reset") > 0);
  CHECK(faulted_with(env, "truncate") > 0);
}

TEST_CASE("a server that accepts and never answers: request_timeout fires, the run fails in time", "[api]") {
  RelEnv env;
  env.put_dataset(synthetic_dataset("Api", 60, 10, 0));
  env.write_config(kJob, "  request_timeout: 1s\n  max_attempts: 2\n");
  REQUIRE(env.run_job("api").exit_code == 0);
  const std::string before = env.checksum("api");
  env.put_dataset(synthetic_dataset("Api", 60, 10, 1));
  env.put_faults(R"({"rules": [{"kind": "hang", "path": "Api", "page": 3}]})");
  ProcOptions options;
  options.timeout_ms = 30'000;
  ProcResult r = env.run_job("api", options);
  INFO(r.all());
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(r.elapsed < std::chrono::seconds(15));
  CHECK_THAT(r.err, Catch::Contains("page 3"));
  CHECK_THAT(r.err, Catch::Contains("time", Catch::CaseSensitive::No));
  CHECK(env.checksum("api") == before);
  // Both attempts at page 3 were held. (4 are seen: the client re-sends a request whose reused
  // keep-alive connection timed out without an answer once, as a stale connection.)
  CHECK(faulted_with(env, "hang") >= 2);
}

TEST_CASE("TLS: refused without the CA, works with ca_file, refused for a wrong host name", "[api][tls]") {
  auto dir = std::filesystem::temp_directory_path() / ("ccetl-rel-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cert = make_cert(dir);
  if (cert.empty()) {
    WARN("openssl CLI missing; TLS test skipped");
    return;
  }
  // The built-in FeedbackScores example (5 rows) is bound to the key; the admin API is HTTPS-only
  // here, so no datasets are installed.
  RelEnv env({"--rate-limit", "0", "--tls-cert", cert, "--tls-key", (dir / "key.pem").string()});
  const std::string jobs = R"(  - name: scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
)";
  const std::string port = std::to_string(env.sim().port());
  ProcOptions options;
  options.timeout_ms = 20'000;

  env.write_config(jobs, "", "https://localhost:" + port + "/api/v1", false);
  ProcResult untrusted = env.run_job("scores", options);
  INFO(untrusted.all());
  CHECK(untrusted.exit_code == 1);
  CHECK_THAT(untrusted.err, Catch::Contains("certificate", Catch::CaseSensitive::No));
  CHECK(untrusted.elapsed < std::chrono::seconds(10));

  env.write_config(jobs, "  ca_file: " + cert + "\n", "https://localhost:" + port + "/api/v1", false);
  ProcResult trusted = env.run_job("scores", options);
  INFO(trusted.all());
  CHECK(trusted.exit_code == 0);
  CHECK(env.count("SELECT count(*) FROM centercode.scores") == 5);

  env.write_config(jobs, "  ca_file: " + cert + "\n", "https://127.0.0.1:" + port + "/api/v1", false);
  ProcResult wrong_host = env.run_job("scores", options);
  INFO(wrong_host.all());
  CHECK(wrong_host.exit_code == 1);
  CHECK_THAT(wrong_host.err, Catch::Contains("certificate", Catch::CaseSensitive::No) ||
                                 Catch::Contains("host", Catch::CaseSensitive::No));
  CHECK(wrong_host.elapsed < std::chrono::seconds(10));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a mixed fault storm: every run completes exactly or fails cleanly", "[api]") {
  SoakStats s = fault_storm(3, 17);  // also checks that every fault kind fired in every round
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
  CHECK(s.runs_completed >= 1);
}

TEST_CASE("soak: fault storms", "[.soak][api]") {
  SoakStats s = fault_storm(env_int("CCETL_SOAK_STORM_ROUNDS", 40), static_cast<uint32_t>(env_int("CCETL_SOAK_SEED", 1)));
  s.print();
  CHECK(s.mismatches == 0);
  CHECK(s.leaks == 0);
}
