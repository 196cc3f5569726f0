#include "app/job_selection.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace ccetl {

std::vector<const JobSpec*> select_jobs(const Config& config, const std::vector<std::string>& names) {
  std::vector<const JobSpec*> selected;
  if (names.empty()) {
    for (const auto& job : config.jobs) selected.push_back(&job);
  } else {
    for (const auto& name : names) {
      const JobSpec* job = config.find_job(name);
      if (!job) {
        std::string known;
        for (const auto& j : config.jobs) known += (known.empty() ? "" : ", ") + j.name;
        throw Error(ErrorKind::Config, "no job named '" + name + "' in " + config.path + " (jobs: " + known + ")");
      }
      if (std::find(selected.begin(), selected.end(), job) == selected.end()) selected.push_back(job);
    }
  }
  // Stable topological order over the selected jobs (the config validator rejects cycles).
  std::vector<const JobSpec*> ordered;
  std::set<const JobSpec*> placed;
  auto is_selected = [&](const std::string& name) {
    const JobSpec* j = config.find_job(name);
    return j && std::find(selected.begin(), selected.end(), j) != selected.end() ? j : nullptr;
  };
  while (ordered.size() < selected.size()) {
    bool progressed = false;
    for (const JobSpec* job : selected) {
      if (placed.count(job)) continue;
      std::vector<std::string> deps = job->after;
      if (!job->projects_from_job.empty()) deps.push_back(job->projects_from_job);
      bool ready = std::all_of(deps.begin(), deps.end(), [&](const std::string& d) {
        const JobSpec* dep = is_selected(d);
        return !dep || placed.count(dep);
      });
      if (ready) {
        ordered.push_back(job);
        placed.insert(job);
        progressed = true;
      }
    }
    if (!progressed)  // a cycle slipped through: keep the configured order for the rest
      for (const JobSpec* job : selected)
        if (placed.insert(job).second) ordered.push_back(job);
  }
  return ordered;
}

}  // namespace ccetl
