// Progress of running jobs, for a human watching a terminal. The pipeline reports; what is shown
// (and whether anything is) is the reporter's business.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace ccetl {

class ProgressReporter {
 public:
  virtual ~ProgressReporter() = default;
  // `pages_total` is -1 when unknown (CSV paging, lookups before the count is known).
  virtual void update(const std::string& job, int64_t pages_done, int64_t pages_total, int64_t rows) = 0;
  virtual void finish(const std::string& job) = 0;
};

// Shows nothing.
std::unique_ptr<ProgressReporter> silent_progress();
// Redraws one status line on stderr (pages done of total, rows/s), at most 10 times a second.
std::unique_ptr<ProgressReporter> terminal_progress();

}  // namespace ccetl
