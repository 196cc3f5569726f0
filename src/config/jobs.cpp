// `jobs:` — each job is read on its own first; references between jobs (after, projects_from,
// duplicate names and tables) and API keys are checked once all are known.
#include <functional>
#include <map>

#include "config/sections.h"
#include "schedule/cron_expr.h"

namespace ccetl::config_detail {
namespace {

const std::vector<std::string> kJobKeys = {
    "name",  "source", "key",   "table", "deletes", "max_delete_ratio", "time_zone", "schedule",
    "interval", "after", "api_key", "projects", "projects_from", "find", "find_sql", "push", "history"};
const std::vector<std::string> kPullOnlyKeys = {"key",       "table",    "deletes",       "max_delete_ratio",
                                                "time_zone", "projects", "projects_from", "find",
                                                "find_sql",  "history"};
const std::vector<std::string> kScopeNames = {"community_user", "community_project", "project_user",
                                              "project_feedback"};
constexpr const char* kScopeList = "community_user, community_project, project_user or project_feedback";

std::string peek_name(const YAML::Node& node) {
  if (!node.IsMap()) return "";
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (key.IsScalar() && key.Scalar() == "name" && value.IsScalar()) return value.Scalar();
  }
  return "";
}

void read_source(const MapReader& job, const std::string& owner, JobSpec& spec) {
  Problems& problems = job.problems();
  MapReader src = sub_map(job, "source", owner + " source", owner + " source.",
                          {"scope", "project", "report", "lookup", "format"});
  if (!src.is_map()) return;
  SourceSpec out;
  bool scope_ok = false;
  if (auto scope = src.string("scope", true)) {
    if (auto parsed = parse_scope(*scope)) {
      out.scope = *parsed;
      scope_ok = true;
    } else {
      problems.add(src.mark_of("scope"), src.label("scope") + ": unknown scope '" + *scope +
                                             "' (expected " + kScopeList + ")" +
                                             did_you_mean(*scope, kScopeNames));
    }
  }
  if (src.has("report") && src.has("lookup")) {
    problems.add(src.mark_of("lookup"), owner + " source: set either report (a data package) or "
                                                "lookup (a record lookup), not both");
  } else if (!src.has("report") && !src.has("lookup")) {
    problems.add(src.self(), owner + " source: missing 'report' (a data package key) or 'lookup' "
                                     "(a record lookup key)");
  }
  for (const char* key : {"report", "lookup"}) {
    if (auto v = src.string(key)) {
      if (v->empty()) problems.add(src.mark_of(key), src.label(key) + ": must not be empty");
      (std::string(key) == "report" ? out.report : out.lookup) = *v;
    }
  }
  if (auto format = src.string("format")) {
    if (*format != "json" && *format != "csv") {
      problems.add(src.mark_of("format"), src.label("format") + ": expected json or csv, got '" + *format + "'");
    }
    out.format = *format;
  }
  if (auto project = src.string("project")) out.project = *project;
  if (scope_ok) {
    const bool needs = scope_needs_project(out.scope);
    const std::string scope_name(to_string(out.scope));
    const bool fan_out = job.has("projects") || job.has("projects_from");
    if (needs) {
      if (src.has("project") && fan_out) {
        problems.add(src.mark_of("project"), owner + ": set source.project or fan out with "
                                                     "projects/projects_from, not both");
      } else if (!src.has("project") && !fan_out) {
        problems.add(src.self(), owner + " source: scope " + scope_name +
                                     " needs 'project' (a project key), or projects/projects_from "
                                     "on the job to fan out over several projects");
      } else if (src.has("project") && out.project.empty()) {
        problems.add(src.mark_of("project"), src.label("project") + ": must not be empty");
      }
      if (job.has("projects") && job.has("projects_from")) {
        problems.add(job.mark_of("projects_from"), owner + ": set either projects or projects_from, not both");
      }
    } else {
      src.forbid("project", "scope " + scope_name + " has no project; remove 'project' "
                                                      "(only project_user and project_feedback take one)");
      for (const char* key : {"projects", "projects_from"}) {
        job.forbid(key, "fan-out over projects needs a project scope (project_user or "
                        "project_feedback), but the source scope is " + scope_name);
      }
    }
  }
  const bool lookup = src.has("lookup");
  if (lookup && !src.has("report")) {
    if (job.has("find") == job.has("find_sql")) {
      problems.add(job.has("find_sql") ? job.mark_of("find_sql") : job.self(),
                   owner + ": a record lookup needs exactly one of find (a list of values to look "
                           "up) or find_sql (a query returning them)");
    }
  } else if (src.has("report")) {
    for (const char* key : {"find", "find_sql"}) {
      job.forbid(key, "only record lookups (source.lookup) take " + std::string(key));
    }
  }
  spec.source = out;
}

void read_job(const MapReader& job, const std::string& owner, JobSpec& spec, JobMarks& marks) {
  Problems& problems = job.problems();
  if (auto name = job.string("name", true)) {
    spec.name = *name;
    if (!valid_identifier(*name)) {
      problems.add(job.mark_of("name"),
                   owner + ": name '" + *name + "' is not valid: use lowercase letters, digits and "
                   "_ ([a-z_][a-z0-9_]*, at most 63 characters), since it is also the default table name");
    }
  }
  marks.name = job.mark_of("name");
  const bool has_source = job.has("source");
  const bool has_push = job.has("push");
  if (has_source && has_push) {
    problems.add(job.mark_of("push"), owner + ": set either source (pull) or push (reverse ETL), not both");
  } else if (!has_source && !has_push) {
    problems.add(job.self(), owner + ": needs either 'source' (a data package or record lookup to "
                                     "pull) or 'push' (rows to send to Centercode)");
  }
  if (has_source) read_source(job, owner, spec);
  if (has_push) {
    spec.push = read_push(job, owner);
    if (!has_source) {
      for (const auto& key : kPullOnlyKeys) job.forbid(key, "only pull jobs (with source) take " + key);
    }
  }
  if (auto key = job.string_list("key", false)) spec.key = *key;
  if (auto table = job.string("table")) {
    if (!valid_identifier(*table)) {
      problems.add(job.mark_of("table"), owner + ": table '" + *table + "' is not a valid name "
                                                 "(expected [a-z_][a-z0-9_]*, at most 63 characters)");
    }
    spec.table = *table;
  } else if (!has_push) {
    spec.table = spec.name;
  }
  if (auto deletes = job.string("deletes")) {
    if (*deletes == "keep") spec.deletes = DeleteMode::Keep;
    else if (*deletes == "soft") spec.deletes = DeleteMode::Soft;
    else if (*deletes == "hard") spec.deletes = DeleteMode::Hard;
    else problems.add(job.mark_of("deletes"), job.label("deletes") + ": expected keep, soft or hard, got '" + *deletes + "'");
    if (has_source && !job.has("key")) {
      problems.add(job.mark_of("deletes"), owner + ": deletes needs 'key' (without a key the job is "
                                                   "a full refresh that replaces the whole table)");
    }
  }
  if (auto history = job.boolean("history")) {
    spec.history = *history;
    if (*history && has_source && !job.has("key")) {
      problems.add(job.mark_of("history"), owner + ": history needs 'key' (versions are kept per "
                                                   "row key; without a key the job is a full "
                                                   "refresh that replaces the whole table)");
    }
  }
  if (auto ratio = job.number("max_delete_ratio", 0, 1)) spec.max_delete_ratio = *ratio;
  if (auto zone = job.string("time_zone")) {
    if (!zone_exists(*zone)) {
      problems.add(job.mark_of("time_zone"), owner + ": unknown time zone '" + *zone +
                                                 "' (expected an IANA name such as UTC or America/Los_Angeles)");
    }
    spec.time_zone = *zone;
  }
  if (auto schedule = job.string("schedule")) {
    std::string error;
    if (!parse_cron(*schedule, error)) {
      problems.add(job.mark_of("schedule"), owner + ": invalid schedule '" + *schedule + "': " + error);
    }
    spec.schedule = *schedule;
  }
  if (auto interval = job.duration("interval")) spec.interval = *interval;
  if (job.has("schedule") && job.has("interval")) {
    problems.add(job.mark_of("interval"), owner + ": set either schedule or interval, not both");
  }
  if (auto after = job.string_list("after", true, &marks.after)) spec.after = *after;
  marks.has_own_key = job.has("api_key");
  if (auto key = job.string("api_key")) {
    if (key->empty()) problems.add(job.mark_of("api_key"), owner + ": api_key must not be empty");
    spec.api_key = *key;
  }
  if (auto projects = job.string_list("projects", false)) spec.projects = *projects;
  if (job.has("projects_from")) {
    MapReader from = sub_map(job, "projects_from", owner + " projects_from", owner + " projects_from.",
                             {"job", "field"});
    if (from.is_map()) {
      if (auto other = from.string("job", true)) spec.projects_from_job = *other;
      if (auto field = from.string("field", true)) spec.projects_from_field = *field;
      marks.projects_from_job = from.mark_of("job");
    }
  }
  if (auto find = job.string_list("find", false)) spec.find = *find;
  if (auto sql = job.string("find_sql")) {
    if (sql->empty()) problems.add(job.mark_of("find_sql"), owner + ": find_sql must not be empty");
    spec.find_sql = *sql;
  }
}

// Reports every `after` cycle once, at the edge that closes it.
void check_cycles(Problems& problems, const std::vector<JobSpec>& jobs, const std::vector<JobMarks>& marks,
                  const std::map<std::string, size_t>& index) {
  enum class Color { White, Grey, Black };
  std::vector<Color> color(jobs.size(), Color::White);
  std::vector<size_t> stack;
  std::function<void(size_t)> visit = [&](size_t i) {
    color[i] = Color::Grey;
    stack.push_back(i);
    for (size_t e = 0; e < jobs[i].after.size(); ++e) {
      auto it = index.find(jobs[i].after[e]);
      if (it == index.end() || it->second == i) continue;
      size_t j = it->second;
      if (color[j] == Color::Grey) {
        std::string path;
        auto from = std::find(stack.begin(), stack.end(), j);
        for (auto s = from; s != stack.end(); ++s) path += jobs[*s].name + " -> ";
        problems.add(marks[i].after[e], "job '" + jobs[i].name + "': 'after' forms a cycle: " + path + jobs[j].name);
      } else if (color[j] == Color::White) {
        visit(j);
      }
    }
    stack.pop_back();
    color[i] = Color::Black;
  };
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (color[i] == Color::White) visit(i);
  }
}

void check_references(Problems& problems, Config& config, const std::vector<JobMarks>& marks,
                      bool has_default_key) {
  std::vector<JobSpec>& jobs = config.jobs;
  std::map<std::string, size_t> index;
  std::map<std::string, size_t> tables;
  std::vector<std::string> names;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].name.empty()) continue;
    auto [it, fresh] = index.emplace(jobs[i].name, i);
    if (!fresh) {
      problems.add(marks[i].name, "duplicate job name '" + jobs[i].name + "' (first defined at line " +
                                      std::to_string(marks[it->second].name.line) + ")");
    } else {
      names.push_back(jobs[i].name);
    }
    if (!jobs[i].table.empty() && fresh) {
      auto [t, new_table] = tables.emplace(jobs[i].table, i);
      if (!new_table) {
        problems.add(marks[i].name, "job '" + jobs[i].name + "': table '" + jobs[i].table +
                                        "' is also loaded by job '" + jobs[t->second].name +
                                        "'; give one of them its own 'table'");
      }
    }
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].history) continue;
    // warehouse/naming.h's history_table_name (table names here are ASCII: bytes = characters).
    auto t = tables.find(jobs[i].table.substr(0, 53) + "_history");
    if (t != tables.end()) {
      problems.add(marks[i].name, "job '" + jobs[i].name + "': its history table '" + t->first +
                                      "' is the table of job '" + jobs[t->second].name +
                                      "'; give one of them another 'table'");
    }
  }
  for (size_t i = 0; i < jobs.size(); ++i) {
    JobSpec& job = jobs[i];
    if (!marks[i].has_own_key) {
      job.api_key = config.centercode.api_key;
      if (!has_default_key) {
        problems.add(job.mark, "job '" + job.name + "' has no API key: set centercode.api_key (or "
                                                    "api_key_file), or api_key on the job");
      }
    }
    for (size_t e = 0; e < job.after.size() && e < marks[i].after.size(); ++e) {
      const std::string& other = job.after[e];
      if (other == job.name) {
        problems.add(marks[i].after[e], "job '" + job.name + "': a job cannot run after itself");
      } else if (!index.count(other)) {
        problems.add(marks[i].after[e], "job '" + job.name + "' after: unknown job '" + other + "'" +
                                            did_you_mean(other, names));
      }
    }
    if (!job.projects_from_job.empty()) {
      auto it = index.find(job.projects_from_job);
      if (it == index.end()) {
        problems.add(marks[i].projects_from_job, "job '" + job.name + "' projects_from.job: unknown job '" +
                                                     job.projects_from_job + "'" +
                                                     did_you_mean(job.projects_from_job, names));
      } else {
        const JobSpec& source = jobs[it->second];
        if (!source.source || source.source->scope != Scope::CommunityProject) {
          problems.add(marks[i].projects_from_job,
                       "job '" + job.name + "' projects_from.job: job '" + source.name +
                           "' must pull a community_project source (the list of projects)");
        }
      }
    }
  }
  check_cycles(problems, jobs, marks, index);
}

}  // namespace

void read_jobs(const MapReader& top, Config& config, bool has_default_key) {
  Problems& problems = top.problems();
  top.require("jobs", " (a list of jobs)");
  const YAML::Node* list = top.node("jobs");
  if (!list) return;
  if (!list->IsSequence()) {
    problems.add(top.mark_of("jobs"), "jobs: expected a list of jobs, got " + describe(*list));
    return;
  }
  if (list->size() == 0) {
    problems.add(top.mark_of("jobs"), "jobs: the list is empty; define at least one job");
    return;
  }
  std::vector<JobMarks> marks;
  for (size_t i = 0; i < list->size(); ++i) {
    const YAML::Node node = (*list)[i];
    const SourceMark at = problems.mark(node, top.mark_of("jobs"));
    JobSpec spec;
    JobMarks job_marks;
    spec.mark = at;
    if (!node.IsMap()) {
      problems.add(at, "jobs[" + std::to_string(i) + "]: expected a map with name and source or push, got " +
                           describe(node));
      continue;
    }
    const std::string name = peek_name(node);
    const std::string owner = name.empty() ? "jobs[" + std::to_string(i) + "]" : "job '" + name + "'";
    MapReader job(problems, node, at, owner, owner + " ", kJobKeys);
    read_job(job, owner, spec, job_marks);
    config.jobs.push_back(std::move(spec));
    marks.push_back(std::move(job_marks));
  }
  check_references(problems, config, marks, has_default_key);
}

}  // namespace ccetl::config_detail
