#include "app/stop_signals.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <ctime>

namespace ccetl {

StopSignals::StopSignals(CancelToken& token) : token_(token) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  thread_ = std::thread([this] {
    // Polling with a short timeout keeps the destructor simple (no wake-up signal needed).
    const timespec tick{0, 100'000'000};
    while (!done_.load()) {
      int sig = sigtimedwait(&set_, nullptr, &tick);
      if (sig <= 0) continue;  // timeout or EINTR
      if (received_.exchange(sig) == 0) {
        spdlog::warn("received {}: cancelling: no new request starts, the run in progress is rolled back "
                     "and recorded as failed (cancelled)",
                     sig == SIGTERM ? "SIGTERM" : "SIGINT");
        token_.cancel();
      } else {
        spdlog::warn("received {} again: already stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      }
    }
  });
}

StopSignals::~StopSignals() {
  done_ = true;
  thread_.join();
}

}  // namespace ccetl
