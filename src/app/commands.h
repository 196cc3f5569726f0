// The ccetl commands, as functions returning the process exit code. The CLI main only parses
// arguments into these structs. Exit codes: 0 success, 1 a job failed, 2 bad configuration or
// usage, 3 could not start (database or API unreachable before any job ran).
#pragma once

#include <string>
#include <vector>

namespace ccetl {

constexpr int kExitOk = 0;
constexpr int kExitJobFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;

struct RunArgs {
  std::string config_path;
  std::vector<std::string> jobs;  // empty = all
  bool dry_run = false;           // push jobs: print what would be sent, send nothing
  bool progress = false;          // show a progress line on stderr
  std::string metrics_file;       // non-empty: write this run's metrics there (Prometheus textfile)
};
int run_command(const RunArgs& args);

struct ValidateArgs {
  std::string config_path;
  bool allow_unset_env = false;  // unset ${VAR} are placeholders (see LoadOptions)
};
// Prints every problem as FILE:LINE:COL: message on stderr. 0 when valid, 2 otherwise. Also
// checks the DSN's syntax offline (libpq's parser).
int validate_command(const ValidateArgs& args);

struct DiscoverArgs {
  std::string config_path;
  std::string job;
};
int discover_command(const DiscoverArgs& args);

struct StatusArgs {
  std::string config_path;
  bool json = false;
};
// A table of the configured jobs from ccetl.runs (or JSON with `json`).
int status_command(const StatusArgs& args);

// `ccetl push list`: the push ledger rows of a job (only those in `state` when set), API key
// masked. 0, 2 for a bad job or state, 3 when the database is unreachable.
struct PushListArgs {
  std::string config_path;
  std::string job;
  std::string state;  // "" = all
};
int push_list_command(const PushListArgs& args);

// `ccetl push retry`: marks the job's unknown and failed rows (only `keys` when given) so that
// the next run sends them again. 0; 2 for a bad job or a key not in the ledger; 3 when the
// database is unreachable.
struct PushRetryArgs {
  std::string config_path;
  std::string job;
  std::vector<std::string> keys;  // a row key as `push list` prints it, or a single key's value
  bool applied = false;           // the requests were applied: mark unknown rows succeeded instead
};
int push_retry_command(const PushRetryArgs& args);

// Runs the scheduler until SIGTERM/SIGINT (see daemon/daemon.h).
int daemon_command(const std::string& config_path);

}  // namespace ccetl
