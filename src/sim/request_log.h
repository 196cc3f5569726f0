// Records what clients sent, for GET /_sim/requests. The API key's value is never kept: the
// query is stored with apiKey masked ("***"), plus whether a key was given and whether it was
// the endpoint's key. Bounded: the oldest entries are dropped beyond kMaxEntries.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "sim/http_types.h"

namespace ccetl::sim {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string query;  // apiKey masked
  bool api_key_present = false;
  bool api_key_matched = false;
  std::string content_type;
  std::string body;
  std::vector<UploadedFile> files;
  int status = 0;
  std::string timestamp;
  // The injected faults that acted on this request, comma separated in rule order: "latency",
  // "error", "rate_limit", "reset", "truncate", "malformed", "hang"; empty when none did.
  std::string fault;
};

class RequestLog {
 public:
  static constexpr size_t kMaxEntries = 100000;
  void add(RecordedRequest r);
  // A JSON array; JSON bodies appear verbatim as "body", others as the string "bodyText".
  std::string to_json() const;
  void clear();

 private:
  mutable std::mutex mu_;
  std::deque<RecordedRequest> entries_;
};

}  // namespace ccetl::sim
