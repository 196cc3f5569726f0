#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "core/error.h"
#include "daemon/daemon.h"

#include <cstdio>
#include "warehouse/connection_defaults.h"

namespace ccetl {

int daemon_command(const std::string& config_path) {
  auto config = load_config_or_report(config_path);
  if (!config) return kExitUsage;
  config->warehouse.dsn = warehouse::with_connection_defaults(config->warehouse.dsn, config->warehouse.statement_timeout);
  try {
    Daemon daemon(config_path, std::move(*config));
    return daemon.run();
  } catch (const Error& e) {
    report_error(std::string("ccetl daemon: ") + e.what());
    return e.kind() == ErrorKind::Config ? kExitUsage : kExitUnavailable;
  }
}

}  // namespace ccetl
