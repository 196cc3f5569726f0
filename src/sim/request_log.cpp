#include "sim/request_log.h"

#include <simdjson.h>

#include "sim/json_writer.h"

namespace ccetl::sim {

void RequestLog::add(RecordedRequest r) {
  std::lock_guard lock(mu_);
  entries_.push_back(std::move(r));
  if (entries_.size() > kMaxEntries) entries_.pop_front();
}

void RequestLog::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

std::string RequestLog::to_json() const {
  std::lock_guard lock(mu_);
  JsonWriter w;
  simdjson::dom::parser parser;
  w.begin_array();
  for (const auto& r : entries_) {
    w.begin_object();
    w.key("method").value(r.method).key("path").value(r.path).key("query").value(r.query);
    w.key("apiKeyPresent").value(r.api_key_present).key("apiKeyMatched").value(r.api_key_matched);
    w.key("contentType").value(r.content_type);
    if (!r.body.empty()) {
      simdjson::dom::element doc;
      if (parser.parse(r.body).get(doc) == simdjson::SUCCESS) w.key("body").raw(simdjson::minify(doc));
      else w.key("bodyText").value(r.body);
    }
    if (!r.files.empty()) {
      w.key("files").begin_array();
      for (const auto& f : r.files) {
        w.begin_object().key("field").value(f.field).key("fileName").value(f.file_name);
        w.key("contentType").value(f.content_type).key("size").value(f.size);
        w.key("sha256").value(f.sha256).key("storedPath").value(f.stored_path).end_object();
      }
      w.end_array();
    }
    w.key("status").value(r.status).key("timestamp").value(r.timestamp);
    if (!r.fault.empty()) w.key("fault").value(r.fault);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace ccetl::sim
