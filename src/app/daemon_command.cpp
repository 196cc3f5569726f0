#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "core/error.h"
#include "daemon/daemon.h"

#include <cstdio>

namespace ccetl {

int daemon_command(const std::string& config_path) {
  auto config = load_config_or_report(config_path);
  if (!config) return kExitUsage;
  try {
    Daemon daemon(config_path, std::move(*config));
    return daemon.run();
  } catch (const Error& e) {
    report_error(std::string("ccetl daemon: ") + e.what());
    return e.kind() == ErrorKind::Config ? kExitUsage : kExitUnavailable;
  }
}

}  // namespace ccetl
