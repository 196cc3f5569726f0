#pragma once

#include <map>
#include <string>

#include "schedule/time_zone.h"

namespace ccetl {

// End time of each job's last successful run, from ccetl.runs.
std::map<std::string, SysSeconds> last_successes(const std::string& dsn);

}  // namespace ccetl
