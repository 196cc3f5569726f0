// libFuzzer target: the configuration loader on arbitrary bytes. Build and run with scripts/fuzz.
// Contract: load_config returns a Config or throws ConfigError (any ccetl::Error is tolerated);
// anything else — another exception, a crash, a sanitizer report — is a finding.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/ccetl-fuzz-config-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "CENTERCODE_API_KEY") return std::string("fuzz-key-0123456789");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  try {
    ccetl::Config config = ccetl::load_config(path, env);
    (void)config;
  } catch (const ccetl::Error&) {
    // Reported problems are the expected outcome for most inputs.
  }
  return 0;
}
