#include <cstdio>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "warehouse/dsn_syntax.h"

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

int validate_command(const ValidateArgs& args) {
  LoadOptions options;
  options.allow_unset_env = args.allow_unset_env;
  options.check_dsn = dsn_syntax_error;
  Config config;
  try {
    config = load_config(args.config_path, process_env(), options);
  } catch (const ConfigError& e) {
    for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    std::fprintf(stderr, "%zu problem(s) in %s\n", e.problems().size(), args.config_path.c_str());
    return kExitUsage;
  }
  std::printf("%s: ok, %zu job(s)\n", args.config_path.c_str(), config.jobs.size());
  if (!config.unset_env.empty()) {
    std::string names;
    for (const auto& name : config.unset_env) names += (names.empty() ? "" : ", ") + name;
    std::printf("%s: not checked, unset: %s (values using them are placeholders)\n", args.config_path.c_str(),
                names.c_str());
  }
  return kExitOk;
}

}  // namespace ccetl
