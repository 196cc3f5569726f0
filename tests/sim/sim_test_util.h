// Helpers shared by the simulator tests.
#pragma once

#include "support/source_root.h"
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/http_test_client.h"
#include "support/sim_process.h"

namespace ccetl::test {

inline constexpr const char* kKey = "KEY";

inline std::string source_dir() {
  return source_root().string();
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Canonical (minified) JSON, or "<invalid: ...>" when `json` does not parse.
inline std::string minify(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json).get(doc); err) return std::string("<invalid: ") + simdjson::error_message(err) + ">";
  return simdjson::minify(doc);
}

// A simulator with the default examples bound to kKey and the rate limit off unless asked.
inline std::vector<std::string> sim_args(std::vector<std::string> extra = {}, bool rate_limit_off = true) {
  std::vector<std::string> args{"--api-key", kKey};
  if (rate_limit_off) {
    args.push_back("--rate-limit");
    args.push_back("0");
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

inline std::string with_key(const std::string& target, const char* key = kKey) {
  return target + (target.find('?') == std::string::npos ? "?" : "&") + "apiKey=" + key;
}

}  // namespace ccetl::test
