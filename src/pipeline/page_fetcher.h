// Fetches the pages of one data package (or any numbered sequence of requests) with several
// requests in flight, and hands them out in order. Memory is bounded: at most `window` pages are
// fetched ahead of the consumer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"

namespace ccetl {

class PageFetcher {
 public:
  // Which rate budget (endpoint) a page's request uses; pages of one group are paced by the
  // client one after another.
  using Group = std::function<std::size_t(int64_t page)>;

  // `fetch(page)` performs one request (it may throw). Pages first_page..last_page are fetched
  // by `workers` threads, never more than `window` pages ahead of the last page taken.
  // With `group`, a free worker starts, among the pages it may fetch, the first whose group has
  // no request in flight (else the first): a request that would wait for its endpoint's pace
  // while another endpoint is free does not hold a worker idle. Without, pages start in order.
  PageFetcher(std::function<Response(int64_t)> fetch, int64_t first_page, int64_t last_page,
              int workers, int window, Group group = nullptr);
  ~PageFetcher();  // stops the workers; pages not taken are dropped
  PageFetcher(const PageFetcher&) = delete;
  PageFetcher& operator=(const PageFetcher&) = delete;

  // The next page in order, or nullopt after the last one. Rethrows the fetch error of that page
  // (later pages are abandoned).
  std::optional<std::pair<int64_t, Response>> next();

 private:
  void work();
  // The page a free worker starts next (REQUIRES: mu_ held, one may be started).
  int64_t pick_locked();

  std::function<Response(int64_t)> fetch_;
  Group group_;
  int64_t first_unstarted_;      // every page below it has been started
  std::set<int64_t> started_;    // pages at or above first_unstarted_ that were started
  std::map<std::size_t, int> in_flight_;  // requests in flight per group
  int64_t next_to_take_;
  const int64_t last_page_;
  const int window_;
  bool stopping_ = false;
  std::map<int64_t, Response> ready_;
  std::map<int64_t, std::exception_ptr> failed_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> workers_;
};

}  // namespace ccetl
