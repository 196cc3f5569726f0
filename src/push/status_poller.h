// Following queued operations (macro listeners, user imports) to their end: GET each
// statusEndpoint with backoff until Succeeded or Failed, within one overall deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "api/client.h"

namespace ccetl::push {

struct PollTiming {
  std::chrono::milliseconds timeout{300'000};  // whole polling phase of a run
  std::chrono::milliseconds first_delay{100};   // before the first status request
  std::chrono::milliseconds max_delay{5'000};   // backoff doubles up to this
};

struct PendingOperation {
  std::string row_key;
  std::string status_endpoint;  // absolute URL, without apiKey
  // Outcome, filled by poll_operations: "Succeeded" | "Failed" | "" (not finished in time).
  std::string final_status;
  std::string error;            // a status request failed for good
};

// Polls every operation until it reaches Succeeded or Failed, the deadline passes, or `cancel`
// is set. Operations are polled round-robin, so one slow operation does not hold up the others.
// An operation whose status request fails with a non-retryable error ends with `error` set.
void poll_operations(ApiClient& client, const std::string& api_key, std::vector<PendingOperation>& ops,
                     const PollTiming& timing, const std::atomic<bool>* cancel);

}  // namespace ccetl::push
