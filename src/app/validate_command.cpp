#include <cstdio>

#include "app/commands.h"
#include "app/load_config_or_report.h"

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
    for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    std::fprintf(stderr, "%zu problem(s) in %s\n", e.problems().size(), path.c_str());
    return std::nullopt;
  }
}

int validate_command(const std::string& config_path) {
  auto config = load_config_or_report(config_path);
  if (!config) return kExitUsage;
  // mode on_change is valid for every target, but on one that creates something it means a
  // second creation whenever a row changes: say so, so that it is a choice, not a surprise.
  for (const auto& job : config->jobs) {
    if (!job.push || job.push->mode != PushMode::OnChange) continue;
    const char* effect = resend_effect(job.push->kind);
    if (!effect) continue;
    std::printf("%s:%d: note: job '%s' has mode on_change: a row whose payload changes after it was sent is sent "
                "again, which %s (unchanged rows are never sent twice); mode: once, the default for this target, "
                "sends each row key once\n",
                config_path.c_str(), job.mark.line, job.name.c_str(), effect);
  }
  std::printf("%s: ok, %zu job(s)\n", config_path.c_str(), config->jobs.size());
  return kExitOk;
}

}  // namespace ccetl
