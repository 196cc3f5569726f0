// Everything the simulator knows at run time, shared by all connections. Each member guards
// itself (own mutex); SimState's own mutex guards the endpoint registry and feedback records.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sim/async_ops.h"
#include "sim/faults.h"
#include "sim/model.h"
#include "sim/rate_limiter.h"
#include "sim/request_log.h"

namespace ccetl::sim {

struct SimOptions {
  std::string api_key = "9e3c8a050fdb40ff9ca13ac3b1873c45";
  int rate_limit = 10;
  std::string upload_dir;                          // where uploads land (created if missing)
  uint64_t max_upload_bytes = 2ULL << 30;          // 2 GiB, as the reference documents
  uint64_t max_body_bytes = 64ULL << 20;           // non-upload request bodies
  bool verbose = false;
};

// A feedback submission created through POST /projects/{p}/feedback/{source}.
struct FeedbackRecord {
  std::string id;
  std::string key;  // e.g. SUG-0023
  std::string source_path;
  std::string url;
  std::map<std::string, int> attachments;  // file element key -> count
};

class SimState {
 public:
  explicit SimState(SimOptions options);

  const SimOptions& options() const { return options_; }

  // Startup endpoints (built-in examples, --fixtures) are restored by reset().
  void install_startup(std::vector<Endpoint> endpoints);
  // Creates or replaces endpoints (builds synthetic tables). Returns the installed paths.
  std::vector<std::string> install(std::vector<Endpoint> endpoints);
  bool remove(const std::string& path);
  EndpointPtr find(const std::string& path) const;
  size_t endpoint_count() const;
  // Clears recorded requests, runtime datasets, faults, async operations, rate windows and
  // feedback records.
  void reset();

  // Feedback records keyed by project + feedback key.
  FeedbackRecord create_feedback(const std::string& project, const Endpoint& source, const std::string& base_url);
  // Counts an attachment unless the element takes a single one and has it already. Returns
  // 0 = ok, 404 = unknown feedback, 400 = single-attachment element already has a file.
  int add_attachment(const std::string& project, const std::string& feedback_key, const std::string& source_path,
                     const FileElement& element, FeedbackRecord* out);

  RateLimiter& rate() { return rate_; }
  FaultInjector& faults() { return faults_; }
  AsyncOps& async_ops() { return async_; }
  RequestLog& log() { return log_; }
  uint64_t next_upload_id() { std::lock_guard l(mu_); return ++upload_seq_; }

 private:
  SimOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, EndpointPtr> startup_;
  std::map<std::string, EndpointPtr> endpoints_;
  std::map<std::string, int> feedback_numbers_;  // project -> last number
  std::map<std::string, FeedbackRecord> feedback_;
  uint64_t upload_seq_ = 0;
  RateLimiter rate_;
  FaultInjector faults_;
  AsyncOps async_;
  RequestLog log_;
};

}  // namespace ccetl::sim
