#include "push/push_job.h"

namespace ccetl {

JobOutcome run_push_job(const Config&, const JobSpec& job, ApiClient&, Warehouse*, const RunOptions&, bool) {
  JobOutcome outcome;
  outcome.job = job.name;
  outcome.error = "push jobs are not implemented yet";
  return outcome;
}

}  // namespace ccetl
