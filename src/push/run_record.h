// Completing a push run's row in ccetl.runs. Warehouse::start_run opens it; a push run has no
// TableLoad whose commit would close it, so push jobs record their end themselves, with the
// push counts: inserted = sent, unchanged, rejected = failed, unknown.
#pragma once

#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace ccetl::push {

// Marks `run_id` succeeded (error empty) or failed with `error`, with `counts`, the `unknown`
// rows and `messages` (joined by newlines). Throws Error.
void record_push_run(const std::string& dsn, const std::string& run_id, const std::string& error,
                     const RunCounts& counts, int64_t unknown, const std::vector<std::string>& messages);

}  // namespace ccetl::push
