// The source tree's root, for tests that read shipped files (fixtures, sql/, deploy/).
// From the build's compile definition, not __FILE__: ccache's base_dir makes __FILE__ relative
// to the build directory, which broke every fixture lookup. CCETL_SOURCE_DIR (set by ctest)
// overrides it, e.g. for a build moved elsewhere.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace ccetl::test {

inline std::filesystem::path source_root() {
  if (const char* dir = std::getenv("CCETL_SOURCE_DIR"); dir && *dir) return dir;
  return CCETL_TEST_SOURCE_DIR;
}

}  // namespace ccetl::test
