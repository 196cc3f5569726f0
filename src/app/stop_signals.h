// SIGTERM and SIGINT for `ccetl run` (PID 1 in a container, a CronJob pod, a timer unit): they
// become a CancelToken cancellation, so the run stops the way the daemon's runs do: no new
// request starts, the one in flight is aborted, the transaction rolls back and the run row is
// recorded as failed, "cancelled".
//
// Construct before any thread is started: the signals are blocked in the calling thread (and
// so in every thread created later) and taken by sigtimedwait() on a thread of its own, which
// may then call CancelToken::cancel() (not async-signal-safe, so never from a handler).
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include "core/cancel.h"

namespace ccetl {

class StopSignals {
 public:
  explicit StopSignals(CancelToken& token);
  ~StopSignals();  // stops watching; the signals stay blocked
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The first signal received (SIGTERM or SIGINT), 0 when none.
  int received() const { return received_.load(); }

 private:
  CancelToken& token_;
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace ccetl
