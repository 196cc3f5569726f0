#include <cstdio>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "config/warnings.h"
#include "warehouse/dsn_syntax.h"

namespace ccetl {
namespace {

// What sending a changed row again does, for targets that create or trigger something.
const char* resend_effect(PushTargetKind kind) {
  switch (kind) {
    case PushTargetKind::Feedback: return "creates another feedback";
    case PushTargetKind::Release: return "creates another release";
    case PushTargetKind::UserImport: return "imports the user again";
    case PushTargetKind::CommentListener: return "posts another comment";
    case PushTargetKind::MacroListener: return "runs the macro again";
    case PushTargetKind::DataListener: return nullptr;
  }
  return nullptr;
}

}  // namespace

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
    for (const auto& problem : e.problems()) report_error(problem.to_string());
    report_error(std::to_string(e.problems().size()) + " problem(s) in " + args.config_path);
    return kExitUsage;
  }
  // mode on_change is valid for every target, but on one that creates something it means a
  // second creation whenever a row changes: say so, so that it is a choice, not a surprise.
  for (const auto& job : config.jobs) {
    if (!job.push || job.push->mode != PushMode::OnChange) continue;
    const char* effect = resend_effect(job.push->kind);
    if (!effect) continue;
    std::printf("%s:%d: note: job '%s' has mode on_change: a row whose payload changes after it was sent is sent "
                "again, which %s (unchanged rows are never sent twice); mode: once, the default for this target, "
                "sends each row key once\n",
                args.config_path.c_str(), job.mark.line, job.name.c_str(), effect);
  }
  for (const auto& warning : config_warnings(config)) std::printf("%s\n", warning.to_string().c_str());
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
