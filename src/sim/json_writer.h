// A minimal JSON text builder: the simulator writes its answers by hand, so that cells and
// examples kept as pre-rendered JSON are pasted verbatim and output stays byte-stable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_string.h"

namespace ccetl::sim {

// Quoted JSON strings: the shared writer of core/json_string.h.
using ccetl::append_json_string;
using ccetl::json_string;

// Writes objects and arrays with commas handled. Values are appended in call order; the caller
// keeps nesting balanced.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(uint64_t v);
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // a complete JSON value, pasted as is
  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void comma();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace ccetl::sim
