// Process-wide counters for /metrics in the Prometheus text exposition format. One Metrics
// object is created by the daemon and passed down; nothing here is global.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace ccetl {

class Metrics {
 public:
  // One finished run of `job`: outcome "succeeded" | "failed" | "skipped".
  void record_run(const std::string& job, const std::string& outcome, double seconds, const RunCounts& counts,
                  double finished_unix_time);
  // HTTP answers by status, retries and 429s, as the API client counted them (absolute totals).
  void set_http(const std::vector<std::pair<int, int64_t>>& by_status, int64_t retries, int64_t throttled);
  void set_ready(bool config_loaded, bool database_reachable);

  // The whole exposition text.
  std::string render() const;

 private:
  struct JobMetrics {
    std::map<std::string, int64_t> runs_by_outcome;
    std::map<std::string, int64_t> rows_by_outcome;
    int64_t pages = 0;
    std::vector<int64_t> duration_buckets;  // cumulative counts per kDurationBuckets
    double duration_sum = 0;
    int64_t duration_count = 0;
    double last_success = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, JobMetrics> jobs_;
  std::vector<std::pair<int, int64_t>> http_by_status_;
  int64_t retries_ = 0;
  int64_t throttled_ = 0;
  bool config_loaded_ = false;
  bool database_reachable_ = false;
};

}  // namespace ccetl
