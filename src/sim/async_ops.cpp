#include "sim/async_ops.h"

#include <atomic>
#include <cstdio>
#include <random>

#include "sim/synthetic.h"

namespace ccetl::sim {

std::string make_uuid() {
  static const uint64_t salt = std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1);
  uint64_t a = mix_hash(salt, n, 1), b = mix_hash(salt, n, 2);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string AsyncOps::create(const std::string& endpoint_path, const AsyncBehavior& behavior, bool force_fail) {
  std::string id = make_uuid();
  Op op{endpoint_path, std::chrono::steady_clock::now(), behavior};
  if (force_fail) op.behavior.outcome = "Failed";
  std::lock_guard lock(mu_);
  ops_[id] = std::move(op);
  return id;
}

std::optional<std::string> AsyncOps::status(const std::string& endpoint_path, const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = ops_.find(id);
  if (it == ops_.end() || it->second.endpoint_path != endpoint_path) return std::nullopt;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  it->second.created).count();
  const auto& b = it->second.behavior;
  if (ms < b.pending_ms) return "Pending";
  if (ms < b.pending_ms + b.processing_ms) return "Processing";
  return b.outcome;
}

void AsyncOps::reset() {
  std::lock_guard lock(mu_);
  ops_.clear();
}

}  // namespace ccetl::sim
