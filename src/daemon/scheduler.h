// Decides which jobs to start, and when. Pure logic with no clock, threads or I/O of its own:
// the daemon loop feeds it the time and tells it when runs finish, so tests drive it directly.
//
// Rules:
// - A job fires at each time of its schedule (cron in daemon.time_zone, or an interval).
// - A job never overlaps itself: a fire time that finds it running is skipped (reported).
// - At most `max_concurrent` jobs run at once; a due job waits for a free slot.
// - `after: [a]` makes a job due whenever `a` finishes successfully.
// - Catch-up: on start, a job whose last success is older than its most recent fire time (or
//   that never succeeded) is due at once, once, not once per missed tick.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "schedule/schedule.h"

namespace ccetl {

class Scheduler {
 public:
  // `last_success` holds the end time of each job's last successful run, when there was one.
  Scheduler(const Config& config, SysSeconds now, const std::map<std::string, SysSeconds>& last_success);

  struct Decision {
    std::vector<std::string> start;    // start these now (they are marked running)
    std::vector<std::string> skipped;  // fire times that found the job still running
  };
  Decision tick(SysSeconds now);

  // A run of `job` ended. Successful runs make their `after:` dependents due.
  void finished(const std::string& job, bool succeeded);

  // Marks a job as running outside tick() (a run that outlived a configuration reload).
  void mark_running(const std::string& job);

  // When tick() next has something to do (a fire time), or nullopt when nothing is scheduled.
  std::optional<SysSeconds> next_wakeup() const;
  // Each scheduled job's next fire time (jobs without a schedule are absent).
  std::map<std::string, SysSeconds> next_fires() const;
  int running() const;
  bool is_running(const std::string& job) const;

 private:
  struct Entry {
    std::string job;
    std::optional<Schedule> schedule;
    std::vector<std::string> after;
    std::optional<SysSeconds> next_fire;
    bool running = false;
    bool pending = false;
  };
  std::vector<Entry> entries_;
  int max_concurrent_;
};

}  // namespace ccetl
