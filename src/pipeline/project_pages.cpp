#include "pipeline/project_pages.h"

#include "api/api_error.h"

namespace ccetl {
namespace {

// A page of a vanished project travels through the PageFetcher as a Response with status 404
// (the client hands out 2xx answers only, so no real answer looks like it).
constexpr int kVanished = 404;

}  // namespace

ProjectPages::ProjectPages(Fetch fetch, const std::vector<Range>& ranges, bool vanish_on_404, int in_flight,
                           int window)
    : fetch_(std::move(fetch)), vanish_on_404_(vanish_on_404), vanished_(ranges.size()) {
  for (std::size_t p = 0; p < ranges.size(); ++p)
    for (int64_t page = ranges[p].first; page <= ranges[p].last; ++page) refs_.push_back({p, page});
  // Each project's package is its own endpoint (rate budget): group the requests by project.
  fetcher_ = std::make_unique<PageFetcher>(
      [this](int64_t i) { return fetch_one(i); }, 0, static_cast<int64_t>(refs_.size()) - 1, in_flight, window,
      [this](int64_t i) { return refs_[static_cast<std::size_t>(i)].project; });
}

ProjectPages::~ProjectPages() { fetcher_.reset(); }

std::optional<std::string> ProjectPages::vanished(std::size_t project) {
  std::lock_guard lock(mu_);
  return vanished_[project];
}

Response ProjectPages::fetch_one(int64_t index) {
  const Ref& ref = refs_[static_cast<std::size_t>(index)];
  Response marker;
  marker.status = kVanished;
  if (auto why = vanished(ref.project)) {
    marker.body = *why;  // a page after the 404: not requested
    return marker;
  }
  try {
    return fetch_(ref.project, ref.page);
  } catch (const ApiError& e) {
    if (!vanish_on_404_ || e.status() != 404) throw;
    std::lock_guard lock(mu_);
    if (!vanished_[ref.project]) vanished_[ref.project] = e.description();
    marker.body = *vanished_[ref.project];
    return marker;
  }
}

std::optional<ProjectPages::Page> ProjectPages::next() {
  auto next = fetcher_->next();
  if (!next) return std::nullopt;
  const Ref& ref = refs_[static_cast<std::size_t>(next->first)];
  Page out;
  out.project = ref.project;
  out.page = ref.page;
  if (next->second.status == kVanished) {
    out.vanished = true;
    out.vanished_why = std::move(next->second.body);
  } else {
    out.response = std::move(next->second);
  }
  return out;
}

}  // namespace ccetl
