// ccetl: thin main. Parses the command line and hands off to src/cli commands.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"ccetl: keep PostgreSQL in sync with the Centercode API"};
  app.set_version_flag("--version", "ccetl 0.1.0");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
