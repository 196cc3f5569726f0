#include "warehouse/completeness.h"

namespace ccetl::warehouse {

std::vector<ProjectRead> projects_of(const RunEnd& end) {
  if (!end.projects.empty()) return end.projects;
  ProjectRead one;
  one.incomplete = end.complete ? "" : "the run did not read every page";
  one.total_results = end.total_results;
  return {one};
}

bool needs_staged_counts(const RunEnd& end) {
  for (const ProjectRead& p : projects_of(end))
    if (p.incomplete.empty() && p.total_results >= 0) return true;
  return false;
}

CompleteScope judge_completeness(const RunEnd& end, const std::map<std::string, int64_t>& staged,
                                 bool keyed, const std::string& action,
                                 std::vector<std::string>& messages) {
  CompleteScope out;
  for (const ProjectRead& p : projects_of(end)) {
    std::string why = p.incomplete;
    if (why.empty() && p.total_results >= 0) {
      auto it = staged.find(p.project);
      const int64_t n = it == staged.end() ? 0 : it->second;
      if (n + p.key_rejects != p.total_results)
        why = std::to_string(n) + (keyed ? " distinct keys" : " rows") + " + " +
              std::to_string(p.key_rejects) + " distinct rows rejected for a bad key = " +
              std::to_string(n + p.key_rejects) + " rows of " + std::to_string(p.total_results) +
              " announced (totalResults)";
    }
    if (why.empty()) {
      out.complete.push_back(p.project);
      continue;
    }
    out.incomplete.push_back(p.project);
    messages.push_back(action + " skipped" +
                       (p.project.empty() ? std::string() : " for project '" + p.project + "'") +
                       ": the read is incomplete: " + why + "; its rows are kept");
  }
  return out;
}

}  // namespace ccetl::warehouse
