// Fetches the pages of one data package with several requests in flight, and hands them out in
// page order. Memory is bounded: at most `window` pages are fetched ahead of the consumer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"

namespace ccetl {

class PageFetcher {
 public:
  // `fetch(page)` performs one request (it may throw). Pages first_page..last_page are fetched
  // by `workers` threads, never more than `window` pages ahead of the last page taken.
  PageFetcher(std::function<Response(int64_t)> fetch, int64_t first_page, int64_t last_page,
              int workers, int window);
  ~PageFetcher();  // stops the workers; pages not taken are dropped
  PageFetcher(const PageFetcher&) = delete;
  PageFetcher& operator=(const PageFetcher&) = delete;

  // The next page in order, or nullopt after the last one. Rethrows the fetch error of that page
  // (later pages are abandoned).
  std::optional<std::pair<int64_t, Response>> next();

 private:
  void work();

  std::function<Response(int64_t)> fetch_;
  int64_t next_to_fetch_;
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
