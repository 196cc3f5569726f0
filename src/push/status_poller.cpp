#include "push/status_poller.h"

#include <algorithm>
#include <thread>

#include "api/api_error.h"
#include "push/response_json.h"

namespace ccetl::push {

void poll_operations(ApiClient& client, const std::string& api_key, std::vector<PendingOperation>& ops,
                     const PollTiming& timing, const std::atomic<bool>* cancel) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timing.timeout;
  auto delay = timing.first_delay;
  auto open = [&] {
    return std::any_of(ops.begin(), ops.end(),
                       [](const PendingOperation& op) { return op.final_status.empty() && op.error.empty(); });
  };
  while (open()) {
    if (cancel && cancel->load()) return;
    auto now = Clock::now();
    if (now >= deadline) return;
    // Sleep in short slices so that a cancel is seen promptly.
    auto wake = std::min<Clock::time_point>(now + delay, deadline);
    while (Clock::now() < wake) {
      if (cancel && cancel->load()) return;
      std::this_thread::sleep_for(std::min<Clock::duration>(wake - Clock::now(), std::chrono::milliseconds(50)));
    }
    for (auto& op : ops) {
      if (!op.final_status.empty() || !op.error.empty()) continue;
      if (Clock::now() >= deadline) return;
      try {
        Response r = client.get_absolute(op.status_endpoint, api_key);
        auto status = json_string_field(r.body, "status");
        if (!status)
          op.error = "status response has no status";
        else if (*status == "Succeeded" || *status == "Failed")
          op.final_status = *status;
        // Pending / Processing: keep polling.
      } catch (const ApiError& e) {
        if (!e.retryable()) op.error = "status request failed (HTTP " + std::to_string(e.status()) + "): " + e.description();
        // Transient after the client's own retries: try again on the next round.
      } catch (const Error& e) {
        if (!e.retryable()) op.error = std::string("status request failed: ") + e.what();
      }
    }
    delay = std::min(delay * 2, timing.max_delay);
  }
}

}  // namespace ccetl::push
