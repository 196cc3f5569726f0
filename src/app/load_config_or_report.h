#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace ccetl {

// Loads the configuration; on problems prints each as FILE:LINE:COL: message to stderr and
// returns nullopt.
std::optional<Config> load_config_or_report(const std::string& path);

}  // namespace ccetl
