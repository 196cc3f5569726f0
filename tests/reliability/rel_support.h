// Reliability suite support: the real `ccetl` binary run as a child process (killable at a chosen
// moment, with a hard deadline so a hang fails the test instead of stalling it), a simulator, a
// database of its own, and table checksums that ignore only the sync timestamps.
#pragma once

#include <signal.h>

#include <pqxx/pqxx>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/http_test_client.h"
#include "support/sim_process.h"

namespace ccetl::test::rel {

// A recognisable key: the security tests search every output and table for it.
inline const std::string kRelKey = "SECRETKEY-4f1d9a7c2e8b45d0a1f3c6e9b2d7a408";

struct ProcOptions {
  int timeout_ms = 60'000;  // SIGKILL and `timed_out` beyond it
  int kill_after_ms = -1;   // >= 0: SIGKILL after this many ms (if still running)
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  // Sample the child's peak resident set (VmHWM in /proc/PID/status) while it runs; see
  // ProcResult::peak_rss_kb.
  bool sample_peak_rss = false;
  // SIGKILL as soon as this returns true (polled every 20 ms while the child runs): kills at a
  // proven moment, e.g. once the simulator has logged the request it is holding.
  std::function<bool()> kill_when;
  // The signal kill_when and kill_after_ms send. SIGKILL ends the child at once; any other (e.g.
  // SIGTERM, to test a clean stop) is sent once and the child is then waited for, up to
  // timeout_ms, with ProcResult::signalled set.
  int kill_signal = SIGKILL;
};

struct ProcResult {
  int exit_code = -1;      // -1 when killed by a signal
  bool killed = false;     // we killed it (kill_after_ms or timeout)
  bool timed_out = false;
  bool signalled = false;  // ProcOptions::kill_signal was sent (whatever the child did then)
  std::string out, err;
  std::chrono::milliseconds elapsed{0};
  // With ProcOptions::sample_peak_rss: the program's peak resident set in kB, as last read from
  // /proc/PID/status (VmHWM, which never decreases) once it had exec'ed, every 2 ms until it
  // exited; -1 when no sample was taken. Not wait4()'s ru_maxrss: that also counts the forked
  // copy of the test process before exec, so a small child would report the test's size.
  int64_t peak_rss_kb = -1;
  std::string all() const { return out + err; }
};

// Runs argv[0] with the rest as arguments; stdout/stderr captured through files. Always reaps
// the child (a zombie would look alive to the next run's abandoned-run check).
ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& options = {});

// $CCETL_BIN_DIR/ccetl, else beside the simulator binary.
std::string ccetl_binary();

// Integer environment knob for the soak mode (CCETL_SOAK_*), `fallback` when unset.
int env_int(const char* name, int fallback);

// A simulator, an empty database in the test cluster and a scratch directory.
class RelEnv {
 public:
  explicit RelEnv(std::vector<std::string> sim_args = {"--rate-limit", "0"}, const std::string& key = kRelKey);
  ~RelEnv();

  void put_dataset(const std::string& json);
  void put_faults(const std::string& json);
  void clear_faults() { put_faults(R"({"rules": []})"); }

  // Writes ccetl.yaml: centercode section (base_url defaults to the simulator, http allowed),
  // `extra_centercode` lines (indented by two), warehouse, and `jobs_yaml`. Returns its path.
  std::string write_config(const std::string& jobs_yaml, const std::string& extra_centercode = "",
                           const std::string& base_url = "", bool allow_http = true);
  const std::string& config_path() const { return config_path_; }

  // `ccetl --log-level LEVEL <args>` with `-c config` appended.
  ProcResult ccetl(const std::vector<std::string>& args, const ProcOptions& options = {},
                   const std::string& log_level = "warn");
  ProcResult run_job(const std::string& job, const ProcOptions& options = {}) {
    return ccetl({"run", "--no-progress", "--job", job}, options);
  }

  pqxx::result query(const std::string& sql);
  int64_t count(const std::string& sql);
  std::string scalar(const std::string& sql);

  // md5 over every row (ordered by `order_by`) as JSON without _synced_at/_deleted_at;
  // "absent" when the table does not exist, "empty" when it has no rows.
  std::string checksum(const std::string& table, const std::string& order_by = "id");
  // id -> md5 of the row (same projection as checksum).
  std::map<std::string, std::string> row_hashes(const std::string& table);
  // Every ID (ROW-nnnnnnn) the simulator serves at `path` (under /api/v1), read page by page.
  std::set<std::string> source_ids(const std::string& path);

  const std::string& dsn() const { return dsn_; }
  std::string dbname() const;
  SimProcess& sim() { return sim_; }
  HttpTestClient& admin() { return admin_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& key() const { return key_; }

 private:
  std::string key_;
  SimProcess sim_;
  HttpTestClient admin_;
  std::string dsn_;
  std::filesystem::path dir_;
  std::string config_path_;
};

// A synthetic data package (docs/simulator.md) at /projects/Rel/feedbackDataPackages/<report>.
std::string synthetic_dataset(const std::string& report, int rows, int per_page, int version, int seed = 7);

}  // namespace ccetl::test::rel
