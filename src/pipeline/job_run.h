// One run of one pull job: resolve projects -> fetch pages -> decode -> load -> commit.
// A run is atomic for its table: it commits everything it read, or nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "api/client.h"
#include "config/config.h"
#include "core/cancel.h"
#include "pipeline/progress.h"
#include "warehouse/warehouse.h"

namespace ccetl {

struct RunOptions {
  ProgressReporter* progress = nullptr;         // nullptr: no progress
  const std::atomic<bool>* cancel = nullptr;    // set: abort the run at the next page boundary
  // The same stop as `cancel` (its flag()), for waits that must end at once: a database
  // statement in progress is cancelled (TableLoad::interrupt). Requests see it through the
  // client's ClientOptions::cancel.
  const CancelToken* stop = nullptr;
};

struct JobOutcome {
  std::string job;
  std::string run_id;
  bool succeeded = false;
  RunCounts counts;
  std::string error;                  // why it failed, in words a user can act on
  std::vector<std::string> messages;  // warnings (totalResults mismatch, vanished fields, ...)
  std::vector<std::string> skipped_projects;  // fan-out projects that answered 404
  std::chrono::milliseconds elapsed{0};
  bool push = false;  // a push run: the summary counts sent / unchanged / failed / unknown rows
  // Push runs: rows whose outcome is unknown (ccetl.push_log state unknown); counts.inserted are
  // the rows sent, counts.rejected the rows failed. Recorded in ccetl.runs.unknown.
  int64_t unknown = 0;

  // "feedback_scores: succeeded in 1.2 s: 5 pages, 4990 read, 10 inserted, ..." (one line).
  std::string summary() const;
};

// Runs `job` (a pull job: data package or record lookup) once. Never throws for failures of the
// run itself: they are reported in the outcome and recorded in ccetl.runs.
JobOutcome run_pull_job(const Config& config, const JobSpec& job, ApiClient& client,
                        Warehouse& warehouse, const RunOptions& options);

// The TableSpec a job loads into (also used by `discover`).
TableSpec table_spec_for(const Config& config, const JobSpec& job);

}  // namespace ccetl
