// Reading the few fields push jobs need from API responses (simdjson stays behind this header).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ccetl::push {

// A top-level string field of a JSON object body; nullopt when absent, not a string, or the
// body is not a JSON object.
std::optional<std::string> json_string_field(const std::string& body, const std::string& name);

// An element of a created feedback's `fileElements`.
struct FileElementInfo {
  std::string key;
  std::string url;
  bool accepts_multiple = false;
};
std::vector<FileElementInfo> parse_file_elements(const std::string& body);

}  // namespace ccetl::push
