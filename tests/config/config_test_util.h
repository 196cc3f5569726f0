// Helpers for config tests: temp files, a fake environment, collecting problems.
#pragma once

#include "support/source_root.h"
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace ccetl::test {

inline std::string source_dir() {
  return source_root().string();
}

inline const std::string& temp_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/ccetl-config-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return std::string(tmpl);
  }();
  return dir;
}

// Writes `content` to a file in this process's temp dir; returns its path.
inline std::string write_temp(const std::string& name, const std::string& content, mode_t mode = 0600) {
  std::string path = temp_dir() + "/" + name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  return path;
}

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline const char* kTestKey = "9e3c8a050fdb40ff9ca13ac3b1873c45";

inline EnvLookup default_env() {
  return env_of({{"CENTERCODE_API_KEY", kTestKey}, {"CCETL_PG_DSN", "host=/tmp dbname=ccetl"}});
}

// Loads `path` expecting failure; returns the problems (FAILs when it loads).
inline std::vector<ConfigProblem> problems_of(const std::string& path, const EnvLookup& env = default_env()) {
  try {
    load_config(path, env);
  } catch (const ConfigError& e) {
    CHECK(e.kind() == ErrorKind::Config);
    return e.problems();
  }
  FAIL("load_config succeeded for " << path);
  return {};
}

// The one problem whose message contains `needle` (FAILs unless exactly one).
inline ConfigProblem problem_with(const std::vector<ConfigProblem>& problems, const std::string& needle) {
  std::vector<ConfigProblem> found;
  std::string all;
  for (const auto& p : problems) {
    all += p.to_string() + "\n";
    if (p.message.find(needle) != std::string::npos) found.push_back(p);
  }
  INFO("looking for '" << needle << "' in:\n" << all);
  REQUIRE(found.size() == 1);
  return found[0];
}

// A minimal valid header (centercode + warehouse) to prepend to job lists. 4 lines.
inline const std::string kHeader =
    "centercode:\n"
    "  base_url: https://company.centercode.com/api/v1\n"
    "  api_key: ${CENTERCODE_API_KEY}\n"
    "warehouse: {dsn: '${CCETL_PG_DSN}'}\n";

}  // namespace ccetl::test
