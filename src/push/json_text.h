// Writing JSON for push bodies. Result cells become typed JSON values by their column's type
// OID; the body is a tree of objects whose keys are kept sorted, so the same row always
// serialises to the same text (the payload hash relies on it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_string.h"

namespace ccetl::push {

// A JSON string literal for `text`: the shared writer of core/json_string.h.
using ccetl::json_string;

// A cell as a JSON value: NULL -> null; bool -> true/false; integers and finite numbers -> as
// is; json/jsonb -> embedded verbatim; everything else (including NaN/Infinity) -> a string.
std::string json_cell(const std::optional<std::string>& value, uint32_t type_oid);

// A JSON object built from dotted key paths ("a.b" nests b inside a).
class JsonObjectBuilder {
 public:
  // Sets `path` to the already-serialised `json_value`. Throws Error(Config) when a path both
  // holds a value and has children (e.g. "a" and "a.b").
  void set(std::string_view path, std::string json_value);
  bool empty() const { return node_.children.empty(); }
  std::string str() const;

 private:
  struct Node {
    std::optional<std::string> value;
    std::map<std::string, Node> children;
  };
  static void write(const Node& node, std::string& out);
  Node node_;
};

}  // namespace ccetl::push
