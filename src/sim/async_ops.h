// Queued operations of macro listeners and user imports. An operation is Pending for
// pendingMs, then Processing for processingMs, then reaches its outcome; status is computed from
// the elapsed time on each status request. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "sim/model.h"

namespace ccetl::sim {

class AsyncOps {
 public:
  // Queues an operation for `endpoint_path`; returns its status id (a UUID).
  std::string create(const std::string& endpoint_path, const AsyncBehavior& behavior, bool force_fail);
  // "Pending" | "Processing" | "Succeeded" | "Failed", or nullopt for an unknown id.
  std::optional<std::string> status(const std::string& endpoint_path, const std::string& id) const;
  void reset();

 private:
  struct Op {
    std::string endpoint_path;
    std::chrono::steady_clock::time_point created;
    AsyncBehavior behavior;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Op> ops_;
};

// A random-looking but process-unique UUID (v4 layout).
std::string make_uuid();

}  // namespace ccetl::sim
