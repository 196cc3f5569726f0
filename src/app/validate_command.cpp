#include <cstdio>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"

namespace ccetl {

std::optional<Config> load_config_or_report(const std::string& path) {
  try {
    return load_config(path);
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) report_error(problem.to_string());
    report_error(std::to_string(e.problems().size()) + " problem(s) in " + path);
    return std::nullopt;
  }
}

int validate_command(const std::string& config_path) {
  auto config = load_config_or_report(config_path);
  if (!config) return kExitUsage;
  std::printf("%s: ok, %zu job(s)\n", config_path.c_str(), config->jobs.size());
  return kExitOk;
}

}  // namespace ccetl
