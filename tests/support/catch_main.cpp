#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>

// Tests log at warn and above unless CCETL_TEST_LOG names another level (e.g. debug).
int main(int argc, char** argv) {
  const char* level = std::getenv("CCETL_TEST_LOG");
  spdlog::set_level(spdlog::level::from_str(level ? level : "warn"));
  return Catch::Session().run(argc, argv);
}
