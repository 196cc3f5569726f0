// Process-wide counters for /metrics (and `ccetl run --metrics-file`) in the Prometheus text
// exposition format. One Metrics object is created by the daemon (or the run command) and passed
// down; nothing here is global. Thread-safe.
//
// Every job series carries the label `ccetl_job` (not `job`, which Prometheus sets to the scrape
// target's job and would rename to `exported_job`). Counters only grow for the life of the
// process: HTTP totals are kept per API client generation, so a SIGHUP reload, which replaces
// the client, does not reset them.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/client.h"
#include "warehouse/run_completeness.h"
#include "warehouse/warehouse.h"

namespace ccetl {

class Metrics {
 public:
  // Gives each of `jobs` its series (zero counts) so that rates and absence alerts have a
  // baseline before the first run. Jobs already known keep their counts.
  void add_jobs(const std::vector<std::string>& jobs);
  // The end time (Unix seconds) of each job's last complete sync as recorded in ccetl.runs
  // (daemon/run_history.h); only moves a job's freshness forward.
  void restore_last_complete(const std::map<std::string, double>& finished_unix_time);
  // One finished run of `job`: outcome "succeeded" | "failed" | "skipped" (advisory lock held).
  // A succeeded run whose deletes or full refresh were skipped (removals_skipped(counts.messages)
  // of warehouse/run_completeness.h) is counted as outcome "deletes_skipped" and does not move
  // the job's freshness.
  void record_run(const std::string& job, const std::string& outcome, double seconds, const RunCounts& counts,
                  double finished_unix_time);
  // The absolute totals of one API client; `client_generation` tells clients apart (the daemon
  // makes a new one on each reload), and the rendered totals are the sum over all of them.
  void set_http(uint64_t client_generation, const ClientStats& stats);
  void set_ready(bool config_loaded, bool database_reachable);

  // The whole exposition text. ccetl_ready appears only once set_ready was called.
  std::string render() const;

 private:
  struct JobMetrics {
    std::map<std::string, int64_t> runs_by_outcome;
    int64_t rows_read = 0;
    std::map<std::string, int64_t> rows_written;  // inserted, updated, deleted
    int64_t rows_unchanged = 0;
    int64_t rows_rejected = 0;
    int64_t pages = 0;
    std::vector<int64_t> duration_buckets;  // cumulative counts per kDurationBuckets
    double duration_sum = 0;
    int64_t duration_count = 0;
    double last_complete = 0;  // 0: never
  };
  JobMetrics& job_locked(const std::string& job);

  mutable std::mutex mu_;
  std::map<std::string, JobMetrics> jobs_;
  std::map<uint64_t, ClientStats> http_by_client_;
  std::optional<std::pair<bool, bool>> ready_;  // config loaded, database reachable
};

}  // namespace ccetl
