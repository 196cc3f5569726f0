// The parts of ccetl's command line that every command shares: the global options, accepted
// before or after the subcommand, and one mapping of CLI11's parse errors to the documented exit
// code 2 with one line on stderr (CLI11 itself exits 105, 106, 109... and prints several lines).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

#include "app/commands.h"

namespace ccetl::cli {

struct GlobalOptions {
  std::string log_level;  // empty: not given (each command picks its default)
  std::string log_format = "text";
};

// Registers the global options on `app` and on every subcommand below it, so that both
// `ccetl --log-level info run ...` and `ccetl run ... --log-level info` work and each command's
// --help lists them. Call after all subcommands are added.
inline void add_global_options(CLI::App& app, GlobalOptions& options) {
  if (!app.get_option_no_throw("--log-level")) {
    app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error, off (default: warn; daemon: info)")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  }
  if (!app.get_option_no_throw("--log-format")) {
    app.add_option("--log-format", options.log_format, "text (human-readable) or json (one object per line)")
        ->check(CLI::IsMember({"text", "json"}));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
    add_global_options(*sub, options);
  }
}

// "ccetl run" for the deepest subcommand parsed so far: where a usage error happened.
inline std::string command_path(CLI::App& app) {
  std::string path = app.get_name();
  CLI::App* at = &app;
  while (true) {
    auto parsed = at->get_subcommands();
    if (parsed.empty()) return path;
    at = parsed.back();
    path += " " + at->get_name();
  }
}

// Parses the command line. nullopt: go on and run the command. Otherwise the process's exit
// code: 0 after --help or --version (printed on stdout), kExitUsage after any usage error,
// reported as one line on stderr: "ccetl run: --config is required (see: ccetl run --help)".
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all, --version
    std::string message = e.what();
    for (char& c : message) {
      if (c == '\n') c = ' ';
    }
    // CLI11 reports a missing and an unknown command alike ("A subcommand is required"): say
    // which, and list the commands.
    if (app.get_subcommands().empty() && app.get_require_subcommand_min() > 0) {
      std::string commands;
      for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); })) {
        commands += (commands.empty() ? "" : ", ") + sub->get_name();
      }
      message = "a command is required (commands: " + commands + ")";
      for (const std::string& arg : app.remaining()) {
        if (arg.empty() || arg[0] == '-') continue;
        message = "unknown command '" + arg + "' (commands: " + commands + ")";
        break;
      }
    }
    const std::string where = command_path(app);
    std::fprintf(stderr, "%s: %s (see: %s --help)\n", where.c_str(), message.c_str(), where.c_str());
    return kExitUsage;
  }
}

}  // namespace ccetl::cli
