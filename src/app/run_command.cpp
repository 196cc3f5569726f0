#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/job_selection.h"
#include "app/load_config_or_report.h"
#include "app/stop_signals.h"
#include "push/push_job.h"
#include "core/error.h"
#include "core/redact.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"
#include "warehouse/connection_defaults.h"

namespace ccetl {

int run_command(const RunArgs& args) {
  // First, before any thread exists (see stop_signals.h).
  CancelToken stop;
  StopSignals signals(stop);
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  config->warehouse.dsn = warehouse::with_connection_defaults(config->warehouse.dsn, config->warehouse.statement_timeout);
  std::vector<const JobSpec*> jobs;
  std::unique_ptr<ApiClient> client;
  std::unique_ptr<Warehouse> warehouse;
  try {
    jobs = select_jobs(*config, args.jobs);
    ClientOptions client_options = client_options_for(config->centercode);
    client_options.cancel = &stop;
    client = make_client(client_options);
  } catch (const Error& e) {
    std::fprintf(stderr, "ccetl: %s\n", redact(e.what(), config->centercode.api_key).c_str());
    return kExitUsage;
  }
  if (!args.dry_run) {
    try {
      warehouse = connect_warehouse(config->warehouse.dsn);
      warehouse->ensure_catalog();
    } catch (const Error& e) {
      std::fprintf(stderr, "ccetl: cannot use the warehouse: %s\n", e.what());
      return kExitUnavailable;
    }
  }
  auto progress = args.progress ? terminal_progress() : silent_progress();
  RunOptions options;
  options.progress = progress.get();
  options.cancel = &stop.flag();
  options.stop = &stop;
  int failed = 0;
  for (const JobSpec* job : jobs) {
    if (stop.cancelled()) {
      ++failed;
      std::printf("%s: not started: cancelled\n", job->name.c_str());
      continue;
    }
    if (args.dry_run && !job->push) {
      std::printf("%s: pull job, skipped in a dry run\n", job->name.c_str());
      continue;
    }
    // Like the daemon, a run holds its job's advisory lock: a cron-started run and a daemon (or
    // two overlapping runs) never run the same job at once.
    if (warehouse && !warehouse->try_lock_job(job->name)) {
      ++failed;
      std::printf("%s: skipped: another process is running this job (advisory lock held)\n", job->name.c_str());
      std::fprintf(stderr, "ccetl: job '%s' skipped: another process is running it\n", job->name.c_str());
      continue;
    }
    JobOutcome outcome = job->push ? run_push_job(*config, *job, *client, warehouse.get(), options, args.dry_run)
                                   : run_pull_job(*config, *job, *client, *warehouse, options);
    if (warehouse) warehouse->unlock_job(job->name);
    std::printf("%s\n", outcome.summary().c_str());
    std::fflush(stdout);
    for (const auto& message : outcome.messages) std::fprintf(stderr, "ccetl: %s: warning: %s\n", job->name.c_str(), message.c_str());
    if (!outcome.succeeded) {
      ++failed;
      std::fprintf(stderr, "ccetl: job '%s' failed: %s\n", job->name.c_str(), outcome.error.c_str());
    }
  }
  if (stop.cancelled())
    std::fprintf(stderr, "ccetl: cancelled by %s: %d job(s) did not complete\n",
                 signals.received() == SIGINT ? "SIGINT" : "SIGTERM", failed);
  return failed ? kExitJobFailed : kExitOk;
}

}  // namespace ccetl
