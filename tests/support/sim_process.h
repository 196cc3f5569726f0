// Runs the real `centercode-sim` binary for a test: started on port 0 with the given extra
// arguments, ready once it printed "listening on ADDRESS:PORT", stopped (SIGTERM, then SIGKILL)
// when the object is destroyed. The binary is $CCETL_BIN_DIR/centercode-sim (set by ctest), else
// the one beside the test binary's parent directory (build/tests/test_x -> build/centercode-sim).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ccetl::test {

class SimProcess {
 public:
  // Throws std::runtime_error when the binary is missing or does not report a port in time.
  explicit SimProcess(std::vector<std::string> args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  static std::string binary_path();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace ccetl::test
