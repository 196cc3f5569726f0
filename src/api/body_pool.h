// Reusable response-body buffers. A data-package page is megabytes: allocating a fresh body for
// every response makes the kernel zero new pages for each one (a third of the client's CPU), or,
// when malloc recycles the blocks through per-thread arenas, lets freed memory pile up so that
// peak RSS creeps with the length of a run. Bodies handed back with give() are reused instead, so
// the buffers ever allocated are the most ever alive at once (the pages in flight).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace ccetl::api {

class BodyPool {
 public:
  explicit BodyPool(std::size_t max_kept) : max_kept_(max_kept) {}

  // An empty string; it has the capacity of a recycled body when one is free.
  std::string take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return {};
    std::string s = std::move(free_.back());
    free_.pop_back();
    return s;
  }

  // Keeps `body`'s buffer for a later take(), unless max_kept are kept already.
  void give(std::string&& body) {
    if (body.capacity() < kWorthKeeping) return;
    body.clear();
    std::lock_guard lock(mu_);
    if (free_.size() < max_kept_) free_.push_back(std::move(body));
  }

 private:
  static constexpr std::size_t kWorthKeeping = 64 * 1024;
  const std::size_t max_kept_;
  std::mutex mu_;
  std::vector<std::string> free_;
};

}  // namespace ccetl::api
