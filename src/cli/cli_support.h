// The parts of ccetl's command line that every command shares: the global options, accepted
// before or after the subcommand, and one mapping of CLI11's parse errors to the documented exit
// code 2 with one line on stderr (CLI11 itself exits 105, 106, 109... and prints several lines).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

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

// `ccetl -c FILE run` as `ccetl run -c FILE`: -c/--config belongs to each command (its --help
// lists it), and users write it before the command as often as after. Moves every -c/--config
// (with its value) found before the command words to just after them ("push list" counts as
// one command). Anything else is left where it is for CLI11 to judge.
inline std::vector<std::string> config_after_command(CLI::App& app, int argc, char** argv) {
  auto find_sub = [](CLI::App* in, const std::string& name) -> CLI::App* {
    try {
      return in->get_subcommand(name);
    } catch (const CLI::OptionNotFound&) {
      return nullptr;
    }
  };
  std::vector<std::string> args(argv, argv + argc);
  std::vector<std::string> moved;
  std::size_t i = 1;
  CLI::App* at = &app;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a == "--") return args;
    if (a == "-c" || a == "--config") {
      if (i + 1 >= args.size()) return args;  // CLI11 reports the missing value
      moved.insert(moved.end(), {args[i], args[i + 1]});
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      continue;
    }
    if (a.rfind("--config=", 0) == 0 || (a.size() > 2 && a.rfind("-c", 0) == 0 && a[2] != '-')) {
      moved.push_back(a);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!a.empty() && a[0] != '-') {
      CLI::App* sub = find_sub(at, a);
      if (!sub) break;  // an option's value or an unknown command: stop here
      at = sub;
      ++i;
      if (at->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); }).empty()) break;
      continue;
    }
    // Another option before the command (--log-level info): skip it and its value, if any.
    ++i;
    if (a.find('=') == std::string::npos && i < args.size() && !args[i].empty() && args[i][0] != '-' &&
        !find_sub(at, args[i]))
      ++i;
  }
  if (at == &app) return args;  // no command: a config file alone means nothing; say that

  args.insert(args.begin() + static_cast<std::ptrdiff_t>(i), moved.begin(), moved.end());
  return args;
}

// Parses the command line. nullopt: go on and run the command. Otherwise the process's exit
// code: 0 after --help or --version (printed on stdout), kExitUsage after any usage error,
// reported as one line on stderr: "ccetl run: --config is required (see: ccetl run --help)".
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    std::vector<std::string> args = config_after_command(app, argc, argv);
    std::vector<char*> reordered;
    for (auto& a : args) reordered.push_back(a.data());
    app.parse(static_cast<int>(reordered.size()), reordered.data());
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
