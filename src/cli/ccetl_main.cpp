// ccetl: thin main. Parses the command line and calls the command functions of src/app.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <malloc.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/logging.h"
#include "cli/cli_support.h"
#include "push/api_command.h"

int main(int argc, char** argv) {
  // Page bodies (MBs each) are allocated by the fetch threads and freed by the loading thread.
  // glibc raises its mmap threshold to the largest block freed, after which such blocks come
  // from per-thread arenas that keep the freed memory: peak RSS then creeps up with the run's
  // length. A fixed threshold keeps every large block mmapped and returned when freed, so memory
  // stays bounded by the pages in flight.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  CLI::App app{"ccetl: keep PostgreSQL tables in sync with Centercode data packages, and push results back", "ccetl"};
  app.set_version_flag("--version", "ccetl 0.1.0");
  app.require_subcommand(1);

  ccetl::RunArgs run;
  bool no_progress = false;
  auto* run_cmd = app.add_subcommand("run", "Run the named jobs (all when none are named) once; exit 0 only if all succeed");
  run_cmd->add_option("-c,--config", run.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--job", run.jobs, "Job to run (repeatable; default: all jobs)");
  run_cmd->add_flag("--dry-run", run.dry_run, "Push jobs: print what would be sent (key masked), send nothing");
  run_cmd->add_flag("--no-progress", no_progress, "Never draw the progress line");
  run_cmd->add_option("--metrics-file", run.metrics_file,
                      "Write the run's metrics here for node_exporter's textfile collector (e.g. /var/lib/node_exporter/ccetl.prom)");

  ccetl::ValidateArgs validate;
  auto* validate_cmd = app.add_subcommand(
      "validate", "Check a job file, and its DSN's syntax, without touching the network or the database");
  validate_cmd->add_option("-c,--config", validate.config_path, "YAML job file")->required();
  validate_cmd->add_flag("--allow-unset-env", validate.allow_unset_env,
                         "Treat unset ${VAR} as placeholders (check a file without its secrets set)");

  ccetl::DiscoverArgs discover;
  auto* discover_cmd = app.add_subcommand(
      "discover", "Fetch a job's first page; print its fields, the DDL a run would apply, and the cost of a full run");
  discover_cmd->add_option("-c,--config", discover.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  discover_cmd->add_option("--job", discover.job, "Job to inspect")->required();

  ccetl::StatusArgs status;
  auto* status_cmd = app.add_subcommand("status", "Show each job's last run, last success, rows and age from ccetl.runs");
  status_cmd->add_option("-c,--config", status.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  status_cmd->add_flag("--json", status.json, "Print JSON for scripts");

  std::string daemon_path;
  auto* daemon_cmd = app.add_subcommand(
      "daemon", "Run jobs on their schedules until SIGTERM; SIGHUP reloads the file; serves /metrics when daemon.listen is set");
  daemon_cmd->add_option("-c,--config", daemon_path, "YAML job file")->required()->check(CLI::ExistingFile);

  ccetl::ApiArgs api;
  auto* api_cmd = app.add_subcommand("api", "One ad-hoc request to the Centercode API; prints status and body (key never printed)");
  api_cmd->add_option("-c,--config", api.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  api_cmd->add_option("method", api.method, "get, post or upload")->required()->check(CLI::IsMember({"get", "post", "upload"}));
  api_cmd->add_option("target", api.target, "Path relative to base_url (/projects/...) or an absolute URL")->required();
  api_cmd->add_option("--find", api.find, "Value of the find query parameter");
  api_cmd->add_option("--json", api.json, "post: JSON body (default: empty body, as macro listeners take)");
  api_cmd->add_option("--file", api.file, "upload: file sent as the multipart part 'file'")->check(CLI::ExistingFile);
  api_cmd->add_option("--api-key-env", api.api_key_env, "Read the API key from this environment variable");

  auto* push_cmd = app.add_subcommand("push", "Inspect and resolve the push ledger (ccetl.push_log)");
  push_cmd->require_subcommand(1);
  ccetl::PushListArgs push_list;
  auto* push_list_cmd = push_cmd->add_subcommand("list", "Show a push job's ledger rows (API key masked)");
  push_list_cmd->add_option("-c,--config", push_list.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  push_list_cmd->add_option("--job", push_list.job, "Push job")->required();
  push_list_cmd->add_option("--state", push_list.state, "Only rows in this state (intent, sent, succeeded, failed, unknown)");
  ccetl::PushRetryArgs push_retry;
  auto* push_retry_cmd = push_cmd->add_subcommand(
      "retry", "Mark a push job's unknown and failed rows (or only --key rows) so the next run sends them again");
  push_retry_cmd->add_option("-c,--config", push_retry.config_path, "YAML job file")->required()->check(CLI::ExistingFile);
  push_retry_cmd->add_option("--job", push_retry.job, "Push job")->required();
  push_retry_cmd->add_option("--key", push_retry.keys,
                             "Row key as `push list` shows it, or the value of a single key column (repeatable)")
      ->allow_extra_args(false);  // one value per --key, taken verbatim: CLI11 would split ["a","b"]
  push_retry_cmd->add_flag("--applied", push_retry.applied,
                           "The requests were applied in Centercode: mark the unknown rows (and a named sent feedback) succeeded, send nothing");

  ccetl::cli::GlobalOptions global;
  ccetl::cli::add_global_options(app, global);
  if (auto exit_code = ccetl::cli::parse_command_line(app, argc, argv)) return *exit_code;
  if (global.log_level.empty()) global.log_level = *daemon_cmd ? "info" : "warn";
  ccetl::configure_logging(global.log_level, global.log_format);

  if (*run_cmd) {
    run.progress = !no_progress && global.log_format != "json" && ::isatty(STDERR_FILENO);
    return ccetl::run_command(run);
  }
  if (*validate_cmd) return ccetl::validate_command(validate);
  if (*discover_cmd) return ccetl::discover_command(discover);
  if (*status_cmd) return ccetl::status_command(status);
  if (*daemon_cmd) return ccetl::daemon_command(daemon_path);
  if (*api_cmd) return ccetl::api_command(api);
  if (*push_list_cmd) return ccetl::push_list_command(push_list);
  if (*push_retry_cmd) return ccetl::push_retry_command(push_retry);
  return ccetl::kExitUsage;
}
