// A process's "stop now" signal, shared by everything that waits: the API client's requests,
// the rate limiter, backoff sleeps, the page loop and database statements.
//
// Contract: cancel() is thread-safe and idempotent, and wakes every sleep_until() at once.
// on_cancel() callbacks run once, on the thread that calls cancel() (or at once when already
// cancelled); they must not block (e.g. PQcancel, closing a socket). cancel() is not
// async-signal-safe: call it from a signal-watching thread, not from a signal handler.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace ccetl {

class CancelToken {
 public:
  using Clock = std::chrono::steady_clock;

  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // The flag itself, for code that only polls (RunOptions::cancel).
  const std::atomic<bool>& flag() const { return cancelled_; }

  // Sleeps until `until`; returns false as soon as the token is cancelled (true: slept fully).
  bool sleep_until(Clock::time_point until) const;
  bool sleep_for(Clock::duration d) const { return sleep_until(Clock::now() + d); }

  // Runs `fn` on cancellation while the returned registration lives.
  class Registration {
   public:
    Registration() = default;
    Registration(const CancelToken* token, uint64_t id) : token_(token), id_(id) {}
    Registration(Registration&& o) noexcept : token_(o.token_), id_(o.id_) { o.token_ = nullptr; }
    Registration& operator=(Registration&&) = delete;
    ~Registration();

   private:
    const CancelToken* token_ = nullptr;
    uint64_t id_ = 0;
  };
  [[nodiscard]] Registration on_cancel(std::function<void()> fn) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::map<uint64_t, std::function<void()>> callbacks_;
  mutable uint64_t next_id_ = 1;
  mutable std::mutex callback_run_mu_;  // a registration ends only after its callback returned
};

}  // namespace ccetl
