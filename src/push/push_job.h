// One run of a push (reverse-ETL) job: run the SQL -> build each row's payload -> consult the
// ledger -> record intent -> send -> record result -> follow queued operations -> record run.
#pragma once

#include <chrono>
#include <cstdio>

#include "api/client.h"
#include "config/config.h"
#include "pipeline/job_run.h"
#include "push/status_poller.h"
#include "warehouse/warehouse.h"

namespace ccetl {

// Knobs of a push run that the YAML does not (yet) carry.
struct PushTuning {
  push::PollTiming poll;              // status polling of macro listeners and user imports
  std::FILE* dry_run_out = stdout;    // where --dry-run prints what would be sent
};

// Runs a push (reverse-ETL) job. `warehouse` is null only in dry-run mode without a database:
// the SQL and the ledger are read through config.warehouse.dsn either way, and a dry run writes
// nothing (neither ledger nor ccetl.runs) and sends nothing. Never throws for failures of the
// run itself: they are in the outcome (and in ccetl.runs unless dry_run).
//
// Counts: rows_read = query rows; inserted = rows sent successfully (queued operations:
// reached Succeeded); unchanged = skipped because of the ledger; rejected = failed rows;
// duplicates = rows repeating an earlier row's key in the same result (skipped).
// Failures: the job goes on past failed rows while they are at most push.max_failures; one
// more stops sending and fails the job.
JobOutcome run_push_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse* warehouse,
                        const RunOptions& options, bool dry_run);
JobOutcome run_push_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse* warehouse,
                        const RunOptions& options, bool dry_run, const PushTuning& tuning);

}  // namespace ccetl
