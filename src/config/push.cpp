// `push:` of a reverse-ETL job. Valid targets follow the API's POST endpoints:
//   data/comment/macro listeners: community_user, project_user, project_feedback
//   user_import:                  community_user, project_user
//   feedback, release:            scope `project` (with project:)
#include <utility>

#include "config/sections.h"

namespace ccetl::config_detail {
namespace {

struct TargetKind {
  const char* key;
  PushTargetKind kind;
  std::vector<Scope> scopes;  // empty: the literal scope `project`
};

const std::vector<TargetKind>& target_kinds() {
  static const std::vector<TargetKind> kKinds = {
      {"data_listener", PushTargetKind::DataListener,
       {Scope::CommunityUser, Scope::ProjectUser, Scope::ProjectFeedback}},
      {"comment_listener", PushTargetKind::CommentListener,
       {Scope::CommunityUser, Scope::ProjectUser, Scope::ProjectFeedback}},
      {"macro_listener", PushTargetKind::MacroListener,
       {Scope::CommunityUser, Scope::ProjectUser, Scope::ProjectFeedback}},
      {"user_import", PushTargetKind::UserImport, {Scope::CommunityUser, Scope::ProjectUser}},
      {"feedback", PushTargetKind::Feedback, {}},
      {"release", PushTargetKind::Release, {}},
  };
  return kKinds;
}

std::string scope_list(const std::vector<Scope>& scopes) {
  std::string out;
  for (size_t i = 0; i < scopes.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == scopes.size() ? " or " : ", ") + std::string(to_string(scopes[i]));
  }
  return out;
}

// Reads push.target into `out`; false when it is unusable.
void read_target(const MapReader& push, const std::string& owner, PushSpec& out) {
  Problems& problems = push.problems();
  std::vector<std::string> known = {"scope", "project"};
  for (const auto& k : target_kinds()) known.push_back(k.key);
  MapReader target = sub_map(push, "target", owner + " push.target", owner + " push.target.", known);
  push.require("target", " (e.g. {scope: project_user, project: WidgetPro, data_listener: Performance})");
  if (!target.is_map()) return;
  const TargetKind* kind = nullptr;
  int count = 0;
  for (const auto& k : target_kinds()) {
    if (target.has(k.key)) {
      ++count;
      if (!kind) kind = &k;
    }
  }
  if (count != 1) {
    problems.add(target.self(), owner + " push.target: needs exactly one of data_listener, "
                                        "comment_listener, macro_listener, user_import, feedback or "
                                        "release" + (count > 1 ? std::string(", not several") : ""));
    return;
  }
  out.kind = kind->kind;
  if (auto key = target.string(kind->key)) {
    if (key->empty()) problems.add(target.mark_of(kind->key), target.label(kind->key) + ": must not be empty");
    out.target_key = *key;
  }
  auto scope = target.string("scope", true);
  auto project = target.string("project");
  if (project) out.project = *project;
  if (!scope) return;
  bool needs_project = false;
  if (kind->scopes.empty()) {
    if (*scope != "project") {
      problems.add(target.mark_of("scope"), target.label("scope") + ": " + kind->key +
                                                " targets take 'scope: project' (with project:), got '" +
                                                *scope + "'");
      return;
    }
    out.scope = kind->kind == PushTargetKind::Feedback ? Scope::ProjectFeedback : Scope::ProjectUser;
    needs_project = true;
  } else {
    auto parsed = parse_scope(*scope);
    if (!parsed || std::find(kind->scopes.begin(), kind->scopes.end(), *parsed) == kind->scopes.end()) {
      problems.add(target.mark_of("scope"), target.label("scope") + ": a " + kind->key +
                                                " target takes scope " + scope_list(kind->scopes) +
                                                ", got '" + *scope + "'");
      return;
    }
    out.scope = *parsed;
    needs_project = scope_needs_project(*parsed);
  }
  if (needs_project && (!project || project->empty())) {
    if (!project) target.require("project", " (scope " + *scope + " needs a project key)");
    else problems.add(target.mark_of("project"), target.label("project") + ": must not be empty");
  } else if (!needs_project) {
    target.forbid("project", "scope " + *scope + " has no project; remove 'project'");
  }
}

}  // namespace

std::optional<PushSpec> read_push(const MapReader& job, const std::string& owner) {
  Problems& problems = job.problems();
  MapReader push = sub_map(job, "push", owner + " push", owner + " push.",
                           {"target", "sql", "key", "mode", "body", "attachments", "max_failures"});
  if (!push.is_map()) return std::nullopt;
  PushSpec out;
  read_target(push, owner, out);
  if (auto sql = push.string("sql", true)) {
    if (sql->find_first_not_of(" \t\r\n") == std::string::npos) {
      problems.add(push.mark_of("sql"), push.label("sql") + ": must not be empty");
    }
    out.sql = *sql;
  }
  push.require("key", " (the result columns that identify a row, e.g. [find])");
  if (auto key = push.string_list("key", false)) out.key = *key;
  // Default: on_change for data listeners (setting a value again is harmless), once for every
  // target that creates or triggers something (a changed row would create a second one).
  out.mode = out.kind == PushTargetKind::DataListener ? PushMode::OnChange : PushMode::Once;
  if (auto mode = push.string("mode")) {
    if (*mode == "once") out.mode = PushMode::Once;
    else if (*mode == "on_change") out.mode = PushMode::OnChange;
    else problems.add(push.mark_of("mode"), push.label("mode") + ": expected once or on_change, got '" + *mode + "'");
  }
  if (auto body = push.string_map("body")) out.body = *body;
  if (auto attachments = push.string_map("attachments")) out.attachments = *attachments;
  if (push.has("attachments") && out.kind != PushTargetKind::Feedback) {
    problems.add(push.mark_of("attachments"), push.label("attachments") +
                                                  ": only feedback targets take attachments");
  }
  if (auto max = push.integer("max_failures", 0, 1'000'000)) out.max_failures = static_cast<int>(*max);
  return out;
}

}  // namespace ccetl::config_detail
