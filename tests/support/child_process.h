// Runs a program of this build (ccetl, centercode-sim) as a child process for tests: arguments,
// extra environment, stdout and stderr captured to files, signals, and a bounded wait.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccetl::test {

// $CCETL_BIN_DIR/<name> (set by ctest), else build/<name> relative to the test binary.
std::string build_binary(const std::string& name);

class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {});
  ~ChildProcess();  // SIGKILLs the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int sig) const;
  // The exit code (128+signal when killed), or nullopt when it did not end in time.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string out() const;  // everything written to stdout so far
  std::string err() const;  // everything written to stderr so far
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_path_, err_path_;
};

// Runs to completion (bounded), returning exit code, stdout and stderr.
struct RunResult {
  int code = -1;
  std::string out, err;
};
RunResult run_binary(const std::string& name, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace ccetl::test
