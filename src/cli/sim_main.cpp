// centercode-sim: thin main for the Centercode API simulator.
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"centercode-sim: a faithful simulator of the Centercode API"};
  CLI11_PARSE(app, argc, argv);
  return 0;
}
