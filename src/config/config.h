// The validated form of a ccetl YAML file. The YAML shape is a user contract (see README and
// config/*.yaml): keys are extended, never renamed.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/types.h"

namespace ccetl {

// A position in a config file, 1-based, for FILE:LINE:COL messages.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
};

struct CentercodeConfig {
  std::string base_url;
  std::string api_key;              // resolved: from api_key or api_key_file; never printed
  std::string api_key_file;
  bool allow_insecure_http = false;
  std::string ca_file;
  double rate_limit = 10;           // requests per second per endpoint
  int max_in_flight = 6;            // pages of one job requested concurrently (6 keeps 10 req/s busy at up to ~500 ms a request)
  std::chrono::milliseconds request_timeout{60'000};
  int max_attempts = 6;
  // HTTP CONNECT proxy for https:// (api/proxy.h): "http://[user:password@]host:port"; "" for
  // none even when HTTPS_PROXY is set. Unset: HTTPS_PROXY / https_proxy from the environment.
  std::optional<std::string> proxy;
};

struct WarehouseConfig {
  std::string dsn;                  // resolved: from dsn or dsn_file; never printed
  std::string dsn_file;
  std::string schema = "centercode";
  // How long a run's schema change (ADD COLUMN, widening, view re-creation) waits for its lock
  // before giving up that attempt; readers queued behind it wait at most about this long.
  std::chrono::seconds lock_timeout{5};
  // Server-side bound on every statement of ccetl's sessions (libpq `options`); none when unset.
  std::optional<std::chrono::seconds> statement_timeout;
};

struct DaemonConfig {
  int max_concurrent_jobs = 4;
  std::string listen;               // "127.0.0.1:9464"; empty = no HTTP endpoint
  std::string time_zone = "UTC";    // zone cron schedules are evaluated in
  std::chrono::seconds grace{30};   // SIGTERM: how long running jobs may finish
  std::optional<std::chrono::seconds> catch_up;  // missed-run window; default one period
};

// `source:` of a pull job.
struct SourceSpec {
  Scope scope = Scope::CommunityUser;
  std::string project;   // project scopes
  std::string report;    // data package report element key (`report:`)
  std::string lookup;    // record lookup key (`lookup:`); exactly one of report/lookup is set
  std::string format;    // "" (by Content-Type), "json" or "csv"
};

// `push:` of a reverse-ETL job.
enum class PushTargetKind { DataListener, CommentListener, MacroListener, UserImport, Feedback, Release };
enum class PushMode { Once, OnChange };
struct PushSpec {
  PushTargetKind kind = PushTargetKind::DataListener;
  Scope scope = Scope::CommunityUser;  // for feedback/release: ProjectFeedback/ProjectUser unused; project required
  std::string project;
  std::string target_key;              // listener key, import source, feedback key or release type
  std::string sql;
  std::vector<std::string> key;        // result columns identifying a row in the ledger
  PushMode mode = PushMode::OnChange;
  std::map<std::string, std::string> body;         // body key path ("a.b") -> result column
  std::map<std::string, std::string> attachments;  // file element key -> result column
  int max_failures = 10;
};

struct JobSpec {
  std::string name;
  SourceMark mark;                     // where the job is defined
  std::string api_key;                 // resolved: the job's own or centercode.api_key
  // Pull jobs (source set); push jobs have `push` set instead.
  std::optional<SourceSpec> source;
  std::vector<std::string> key;        // field names; empty = full refresh
  std::string table;                   // defaults to name
  DeleteMode deletes = DeleteMode::Keep;
  double max_delete_ratio = 0.5;
  std::string time_zone;               // dates -> timestamptz read in this zone
  bool history = false;                // keep every row version in <table>_history (needs key)
  // Fan-out (project scopes): either a fixed list or a column of another job's table.
  std::vector<std::string> projects;
  std::string projects_from_job;
  std::string projects_from_field;
  // Record lookups.
  std::vector<std::string> find;
  std::string find_sql;
  std::optional<PushSpec> push;
  // Scheduling (daemon).
  std::string schedule;                // 5-field cron or @hourly...; empty = none
  std::optional<std::chrono::seconds> interval;
  std::vector<std::string> after;

  bool fans_out() const { return !projects.empty() || !projects_from_job.empty(); }
};

struct Config {
  std::string path;
  CentercodeConfig centercode;
  WarehouseConfig warehouse;
  DaemonConfig daemon;
  std::vector<JobSpec> jobs;
  std::vector<std::string> unset_env;  // LoadOptions::allow_unset_env: placeholders, sorted

  const JobSpec* find_job(const std::string& name) const;
};

struct ConfigProblem {
  SourceMark mark;
  std::string message;
  std::string to_string() const;  // "FILE:LINE:COL: message"
};

// Thrown by load_config with every problem found, not just the first.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<ConfigProblem> problems);
  const std::vector<ConfigProblem>& problems() const { return problems_; }

 private:
  std::vector<ConfigProblem> problems_;
};

// Looks up an environment variable; nullopt when unset. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// What load_config checks beyond the file itself (`ccetl validate`'s options).
struct LoadOptions {
  // A value that references an unset ${VAR} (without a default) is a placeholder: not reported,
  // not checked further, and left at its default in the result; its variable is listed in
  // Config::unset_env. For checking a file where its secrets are not set.
  bool allow_unset_env = false;
  // Checks warehouse.dsn offline (the warehouse layer's libpq parser); returns what is wrong,
  // or nullopt. The config layer stays free of libpq: the caller passes it. Empty: no check.
  std::function<std::optional<std::string>(const std::string& dsn)> check_dsn;
};

// Reads, expands ${VAR} / ${VAR:-default}, and validates `path`. Reads api_key_file/dsn_file.
// Throws ConfigError listing every problem. Touches neither network nor database.
Config load_config(const std::string& path, const EnvLookup& env = process_env(),
                   const LoadOptions& options = {});

}  // namespace ccetl
