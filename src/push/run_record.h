// Completing a push run's row in ccetl.runs. Warehouse::start_run / fail_run cover the start
// and failure; a push run has no TableLoad whose commit would mark it succeeded, so push jobs
// record their success themselves.
#pragma once

#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace ccetl::push {

// Marks `run_id` succeeded with `counts` and `messages` (joined by newlines). Throws Error.
void mark_run_succeeded(const std::string& dsn, const std::string& run_id, const RunCounts& counts,
                        const std::vector<std::string>& messages);

}  // namespace ccetl::push
