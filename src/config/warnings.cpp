#include "config/warnings.h"

namespace ccetl {

std::vector<ConfigProblem> config_warnings(const Config& config) {
  std::vector<ConfigProblem> out;
  for (const JobSpec& job : config.jobs) {
    if (!job.source || job.source->format != "csv" || !job.source->lookup.empty()) continue;
    const std::string csv = "warning: job '" + job.name +
                            "' reads its package as CSV (format: csv), which carries no paging "
                            "information, so no read of it is ever proven complete";
    if (job.key.empty())
      out.push_back({job.mark, csv + ": as a full refresh (no key) it never replaces the table "
                                     "(a first load leaves it empty); use format: json "
                                     "(docs/warehouse.md, \"Complete\")"});
    else if (job.deletes != DeleteMode::Keep)
      out.push_back({job.mark, csv + ": deletes: " +
                                   std::string(job.deletes == DeleteMode::Soft ? "soft" : "hard") +
                                   " never deletes a row; use format: json (docs/warehouse.md, "
                                   "\"Complete\")"});
  }
  return out;
}

}  // namespace ccetl
