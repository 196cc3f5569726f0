#pragma once

#include "api/client.h"
#include "config/config.h"
#include "pipeline/job_run.h"
#include "warehouse/warehouse.h"

namespace ccetl {

// Runs a push (reverse-ETL) job. `warehouse` is null only in dry-run mode without a database.
JobOutcome run_push_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse* warehouse,
                        const RunOptions& options, bool dry_run);

}  // namespace ccetl
