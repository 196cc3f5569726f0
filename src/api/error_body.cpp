#include "api/error_body.h"

#include <simdjson.h>

namespace ccetl::api {

namespace {

constexpr size_t kExcerpt = 200;

// A single line of at most kExcerpt characters, for bodies that are not the API's JSON.
std::string excerpt(std::string_view body) {
  std::string out;
  bool space = false;
  for (char c : body) {
    if (out.size() >= kExcerpt) {
      out += "…";
      break;
    }
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string get_string(simdjson::ondemand::value value) {
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return {};
}

bool parse_json(std::string_view body, ErrorBody& out) {
  using namespace simdjson;
  padded_string padded(body);
  ondemand::parser parser;
  ondemand::document doc;
  if (parser.iterate(padded).get(doc) != SUCCESS) return false;
  ondemand::object obj;
  if (doc.get_object().get(obj) != SUCCESS) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return false;
    ondemand::value value;
    if (field.value().get(value) != SUCCESS) return false;
    if (key == "description") {
      out.description = get_string(value);
    } else if (key == "invalidParameters") {
      ondemand::array array;
      if (value.get_array().get(array) != SUCCESS) continue;
      for (auto element : array) {
        ondemand::object param;
        if (element.get_object().get(param) != SUCCESS) continue;
        InvalidParameter p;
        for (auto pf : param) {
          std::string_view pkey;
          if (pf.unescaped_key().get(pkey) != SUCCESS) break;
          ondemand::value pvalue;
          if (pf.value().get(pvalue) != SUCCESS) break;
          if (pkey == "name") p.name = get_string(pvalue);
          else if (pkey == "description") p.description = get_string(pvalue);
        }
        out.invalid_parameters.push_back(std::move(p));
      }
    }
  }
  return true;
}

}  // namespace

ErrorBody parse_error_body(std::string_view body) {
  ErrorBody out;
  try {
    if (!parse_json(body, out)) out = ErrorBody{};
  } catch (const std::exception&) {
    out = ErrorBody{};
  }
  if (out.description.empty() && out.invalid_parameters.empty()) out.description = excerpt(body);
  return out;
}

std::string describe(const ErrorBody& error) {
  std::string out = error.description;
  if (!error.invalid_parameters.empty()) {
    out += out.empty() ? "(invalid parameters: " : " (invalid parameters: ";
    for (size_t i = 0; i < error.invalid_parameters.size(); ++i) {
      if (i) out += "; ";
      out += error.invalid_parameters[i].name + ": " + error.invalid_parameters[i].description;
    }
    out += ")";
  }
  return out;
}

}  // namespace ccetl::api
