#include "sim/sim_state.h"

#include <cstdio>

#include "sim/synthetic.h"

namespace ccetl::sim {
namespace {

EndpointPtr finalize(Endpoint ep) {
  if (ep.synthetic) {
    auto table = std::make_shared<SyntheticTable>(*ep.synthetic);
    ep.fields = table->fields();
    ep.table = std::move(table);
  }
  return std::make_shared<const Endpoint>(std::move(ep));
}

}  // namespace

SimState::SimState(SimOptions options) : options_(std::move(options)), rate_(options_.rate_limit) {}

void SimState::install_startup(std::vector<Endpoint> endpoints) {
  std::lock_guard lock(mu_);
  for (auto& ep : endpoints) {
    auto p = finalize(std::move(ep));
    startup_[p->path] = p;
    endpoints_[p->path] = p;
  }
}

std::vector<std::string> SimState::install(std::vector<Endpoint> endpoints) {
  std::vector<EndpointPtr> built;
  for (auto& ep : endpoints) built.push_back(finalize(std::move(ep)));  // outside the lock: may be slow
  std::vector<std::string> paths;
  std::lock_guard lock(mu_);
  for (auto& p : built) {
    paths.push_back(p->path);
    endpoints_[p->path] = p;
  }
  return paths;
}

bool SimState::remove(const std::string& path) {
  std::lock_guard lock(mu_);
  return endpoints_.erase(path) > 0;
}

EndpointPtr SimState::find(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(path);
  return it == endpoints_.end() ? nullptr : it->second;
}

size_t SimState::endpoint_count() const {
  std::lock_guard lock(mu_);
  return endpoints_.size();
}

void SimState::reset() {
  {
    std::lock_guard lock(mu_);
    endpoints_ = startup_;
    feedback_numbers_.clear();
    feedback_.clear();
  }
  rate_.reset();
  faults_.clear();
  async_.reset();
  log_.clear();
}

FeedbackRecord SimState::create_feedback(const std::string& project, const Endpoint& source,
                                         const std::string& base_url) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = feedback_numbers_.try_emplace(project, source.first_number - 1);
  (void)inserted;
  int number = ++it->second;
  char key[64];
  std::snprintf(key, sizeof key, "%s-%04d", source.key_prefix.c_str(), number);
  FeedbackRecord rec;
  rec.id = make_uuid();
  rec.key = key;
  rec.source_path = source.path;
  std::string uf = rec.id;
  std::erase(uf, '-');
  std::string cap = make_uuid();
  std::erase(cap, '-');
  rec.url = base_url + "/project/feedback/view.html?cap=" + cap + "&uf=" + uf;
  feedback_[project + "|" + rec.key] = rec;
  return rec;
}

int SimState::add_attachment(const std::string& project, const std::string& feedback_key,
                             const std::string& source_path, const FileElement& element, FeedbackRecord* out) {
  std::lock_guard lock(mu_);
  auto it = feedback_.find(project + "|" + feedback_key);
  if (it == feedback_.end() || it->second.source_path != source_path) return 404;
  int& count = it->second.attachments[element.key];
  if (!element.accepts_multiple && count > 0) return 400;
  ++count;
  *out = it->second;
  return 0;
}

}  // namespace ccetl::sim
