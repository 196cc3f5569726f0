#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/job_selection.h"
#include "app/load_config_or_report.h"
#include "app/stop_signals.h"
#include "app/logging.h"
#include "app/metrics_file.h"
#include "push/push_job.h"
#include "core/error.h"
#include "core/redact.h"
#include "daemon/metrics.h"
#include "daemon/run_history.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"
#include "warehouse/connection_defaults.h"

namespace ccetl {
namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

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
    report_error("ccetl: " + redact(e.what(), config->centercode.api_key));
    return kExitUsage;
  }
  if (!args.dry_run) {
    try {
      warehouse = connect_warehouse(config->warehouse.dsn);
      warehouse->ensure_catalog();
    } catch (const Error& e) {
      report_error(std::string("ccetl: cannot use the warehouse: ") + e.what());
      return kExitUnavailable;
    }
  }
  // --metrics-file: this run's counts, with each job's freshness carried over from ccetl.runs.
  Metrics metrics;
  if (!args.metrics_file.empty()) {
    std::vector<std::string> names;
    for (const JobSpec* job : jobs) names.push_back(job->name);
    metrics.add_jobs(names);
    if (warehouse) {
      try {
        auto history = last_complete_syncs(config->warehouse.dsn);
        std::map<std::string, double> selected;
        for (const auto& name : names)
          if (auto it = history.find(name); it != history.end()) selected.insert(*it);
        metrics.restore_last_complete(selected);
      } catch (const Error& e) {
        report_warning(std::string("ccetl: warning: cannot read run history for --metrics-file: ") + e.what());
      }
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
      report_error("ccetl: job '" + job->name + "' skipped: another process is running it");
      metrics.record_run(job->name, "skipped", 0, {}, unix_now());
      continue;
    }
    JobOutcome outcome = job->push ? run_push_job(*config, *job, *client, warehouse.get(), options, args.dry_run)
                                   : run_pull_job(*config, *job, *client, *warehouse, options);
    if (warehouse) warehouse->unlock_job(job->name);
    metrics.record_run(job->name, outcome.succeeded ? "succeeded" : "failed",
                       std::chrono::duration<double>(outcome.elapsed).count(), outcome.counts, unix_now());
    std::printf("%s\n", outcome.summary().c_str());
    std::fflush(stdout);
    for (const auto& message : outcome.messages) report_warning("ccetl: " + job->name + ": warning: " + message);
    if (!outcome.succeeded) {
      ++failed;
      report_error("ccetl: job '" + job->name + "' failed: " + outcome.error);
    }
  }
  if (!args.metrics_file.empty()) {
    metrics.set_http(0, client->stats());
    try {
      write_metrics_file(metrics, args.metrics_file);
    } catch (const Error& e) {
      report_error(std::string("ccetl: ") + e.what());
      return failed ? kExitJobFailed : kExitUsage;
    }
  }
  if (stop.cancelled())
    std::fprintf(stderr, "ccetl: cancelled by %s: %d job(s) did not complete\n",
                 signals.received() == SIGINT ? "SIGINT" : "SIGTERM", failed);
  return failed ? kExitJobFailed : kExitOk;
}

}  // namespace ccetl
