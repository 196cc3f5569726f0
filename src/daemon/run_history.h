#pragma once

#include <map>
#include <string>

#include "schedule/time_zone.h"

namespace ccetl {

// End time of each job's last successful run, from ccetl.runs (what the scheduler's catch-up
// compares with the last fire time).
std::map<std::string, SysSeconds> last_successes(const std::string& dsn);

// End time (Unix seconds) of each job's last complete sync, from ccetl.runs: a succeeded run
// whose messages do not say that its deletes or full refresh were skipped (kDeletesSkipped,
// kRefreshSkipped in warehouse/run_completeness.h). What ccetl_last_success_timestamp_seconds reports.
std::map<std::string, double> last_complete_syncs(const std::string& dsn);

}  // namespace ccetl
