#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace ccetl {

// The jobs `names` asks for (all when empty), ordered so that a job runs after the jobs it
// reads from (projects_from, after:) when those are selected too. Throws Error(Config) naming
// an unknown job.
std::vector<const JobSpec*> select_jobs(const Config& config, const std::vector<std::string>& names);

}  // namespace ccetl
