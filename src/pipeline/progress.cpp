#include "pipeline/progress.h"

#include <cstdio>
#include <map>

namespace ccetl {
namespace {

class Silent final : public ProgressReporter {
 public:
  void update(const std::string&, int64_t, int64_t, int64_t) override {}
  void finish(const std::string&) override {}
};

class Terminal final : public ProgressReporter {
 public:
  void update(const std::string& job, int64_t pages_done, int64_t pages_total, int64_t rows) override {
    using clock = std::chrono::steady_clock;
    std::lock_guard lock(mu_);
    auto now = clock::now();
    auto [it, inserted] = started_.try_emplace(job, now);
    if (!inserted && now - last_draw_ < std::chrono::milliseconds(100) && pages_done != pages_total) return;
    last_draw_ = now;
    double secs = std::chrono::duration<double>(now - it->second).count();
    double rate = secs > 0 ? static_cast<double>(rows) / secs : 0;
    if (pages_total >= 0)
      std::fprintf(stderr, "\r\033[K%s: page %lld/%lld, %lld rows, %.0f rows/s", job.c_str(),
                   static_cast<long long>(pages_done), static_cast<long long>(pages_total),
                   static_cast<long long>(rows), rate);
    else
      std::fprintf(stderr, "\r\033[K%s: page %lld, %lld rows, %.0f rows/s", job.c_str(),
                   static_cast<long long>(pages_done), static_cast<long long>(rows), rate);
    std::fflush(stderr);
  }
  void finish(const std::string& job) override {
    std::lock_guard lock(mu_);
    started_.erase(job);
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> started_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace

std::unique_ptr<ProgressReporter> silent_progress() { return std::make_unique<Silent>(); }
std::unique_ptr<ProgressReporter> terminal_progress() { return std::make_unique<Terminal>(); }

}  // namespace ccetl
