// Helpers for the tests of what ccetl deploys: files of the source tree and of this build,
// shell commands with their output, throwaway directories and systemd unit files.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "support/child_process.h"
#include "support/source_root.h"

namespace ccetl::test {

inline std::filesystem::path source_dir() { return source_root(); }

// The build tree (where ccetl, CPackConfig.cmake and cmake_install.cmake are).
inline std::filesystem::path build_dir() { return std::filesystem::path(build_binary("ccetl")).parent_path(); }

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ShellResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh, capturing its output in a file.
inline ShellResult shell(const std::string& command) {
  static int counter = 0;
  auto log = std::filesystem::temp_directory_path() /
             ("ccetl-sh-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".log");
  std::string full = "(" + command + ") >'" + log.string() + "' 2>&1";
  int status = std::system(full.c_str());
  ShellResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = slurp(log);
  std::filesystem::remove(log);
  return r;
}

class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(std::filesystem::temp_directory_path() / ("ccetl-" + tag + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A systemd unit file as "Section.Key" -> value (the last assignment wins; comments skipped).
inline std::map<std::string, std::string> read_unit(const std::filesystem::path& file) {
  std::map<std::string, std::string> keys;
  std::istringstream in(slurp(file));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line.substr(1, line.find(']') - 1);
      continue;
    }
    size_t eq = line.find('=');
    if (eq != std::string::npos) keys[section + "." + line.substr(0, eq)] = line.substr(eq + 1);
  }
  return keys;
}

}  // namespace ccetl::test
