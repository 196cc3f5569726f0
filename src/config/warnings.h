// Settings that are valid but cannot do what they seem to ask for. `ccetl validate` prints them
// as warnings (the file still validates); they name the job and the line that defines it.
#pragma once

#include <vector>

#include "config/config.h"

namespace ccetl {

// One warning per such setting, in job order; the message starts with "warning: ". Pure.
//  - `format: csv` with `deletes: soft|hard`: a CSV package carries no paging information, so no
//    read is ever proven complete and nothing is ever deleted (docs/warehouse.md, "Complete").
//  - `format: csv` without a key (a full refresh): for the same reason the table is never
//    replaced.
std::vector<ConfigProblem> config_warnings(const Config& config);

}  // namespace ccetl
