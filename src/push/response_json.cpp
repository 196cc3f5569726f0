#include "push/response_json.h"

#include <simdjson.h>

namespace ccetl::push {

std::optional<std::string> json_string_field(const std::string& body, const std::string& name) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return std::nullopt;
  std::string_view value;
  if (doc[name].get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

std::vector<FileElementInfo> parse_file_elements(const std::string& body) {
  std::vector<FileElementInfo> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array elements;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS || doc["fileElements"].get(elements) != simdjson::SUCCESS)
    return out;
  for (auto item : elements) {
    FileElementInfo info;
    std::string_view s;
    if (item["key"].get(s) == simdjson::SUCCESS) info.key = s;
    if (item["url"].get(s) == simdjson::SUCCESS) info.url = s;
    bool multiple = false;
    if (item["acceptsMultipleAttachments"].get(multiple) == simdjson::SUCCESS) info.accepts_multiple = multiple;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace ccetl::push
