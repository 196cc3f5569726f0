#include "pipeline/page_fetcher.h"

#include <algorithm>

namespace ccetl {

PageFetcher::PageFetcher(std::function<Response(int64_t)> fetch, int64_t first_page,
                         int64_t last_page, int workers, int window, Group group)
    : fetch_(std::move(fetch)),
      group_(std::move(group)),
      first_unstarted_(first_page),
      next_to_take_(first_page),
      last_page_(last_page),
      window_(std::max(1, window)) {
  int64_t pages = std::max<int64_t>(0, last_page - first_page + 1);
  int threads = static_cast<int>(std::min<int64_t>(std::max(1, workers), pages));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

PageFetcher::~PageFetcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

int64_t PageFetcher::pick_locked() {
  const int64_t end = std::min(last_page_, next_to_take_ + window_ - 1);
  int64_t page = first_unstarted_;
  if (group_) {
    for (int64_t p = first_unstarted_; p <= end; ++p) {
      if (started_.count(p)) continue;
      auto it = in_flight_.find(group_(p));
      if (it == in_flight_.end() || it->second == 0) {
        page = p;
        break;
      }
    }
  }
  started_.insert(page);
  while (started_.count(first_unstarted_)) started_.erase(first_unstarted_++);
  return page;
}

void PageFetcher::work() {
  for (;;) {
    int64_t page;
    std::size_t group = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return stopping_ || first_unstarted_ > last_page_ || first_unstarted_ < next_to_take_ + window_;
      });
      if (stopping_ || first_unstarted_ > last_page_) return;
      page = pick_locked();
      if (group_) ++in_flight_[group = group_(page)];
    }
    std::optional<Response> response;
    std::exception_ptr error;
    try {
      response = fetch_(page);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mu_);
      if (group_) --in_flight_[group];
      if (error) {
        failed_[page] = error;
        stopping_ = true;  // a page failed for good: the run fails, fetch nothing more
      } else {
        ready_.emplace(page, std::move(*response));
      }
    }
    cv_.notify_all();
  }
}

std::optional<std::pair<int64_t, Response>> PageFetcher::next() {
  std::unique_lock lock(mu_);
  if (next_to_take_ > last_page_) return std::nullopt;
  cv_.wait(lock, [&] {
    return ready_.count(next_to_take_) || !failed_.empty();
  });
  if (auto it = ready_.find(next_to_take_); it != ready_.end()) {
    std::pair<int64_t, Response> out{it->first, std::move(it->second)};
    ready_.erase(it);
    ++next_to_take_;
    lock.unlock();
    cv_.notify_all();
    return out;
  }
  std::rethrow_exception(failed_.begin()->second);
}

}  // namespace ccetl
