// The small inline SVG chart of a job page: one bar per run (its duration, coloured by status)
// and a line of the rows each run read, oldest run on the left. Plain SVG with presentation
// attributes only (no style attributes, no script), so the page's CSP needs nothing for it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/status_model.h"

namespace ccetl {

// `runs` newest first (as JobDetail holds them). Empty string when there are no runs.
std::string run_chart_svg(const std::vector<RunRecord>& runs, int64_t now);

}  // namespace ccetl
