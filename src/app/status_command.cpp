// `ccetl status`: one line per configured job from ccetl.runs: last run, its status, last
// success, rows and age. `--json` prints the same as a JSON array for scripts, in the shape the
// daemon's GET /api/jobs serves (daemon/status_json.h), read by the same bounded queries
// (daemon/status_data.h).
#include <cmath>
#include <cstdio>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "core/error.h"
#include "daemon/status_data.h"
#include "daemon/status_json.h"
#include "warehouse/connection_defaults.h"

namespace ccetl {

int status_command(const StatusArgs& args) {
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  config->warehouse.dsn = warehouse::with_connection_defaults(config->warehouse.dsn, config->warehouse.statement_timeout);
  StatusSnapshot snap;
  try {
    StatusReader reader(config->warehouse.dsn, std::chrono::seconds(30));
    snap = reader.overview(*config, {});
  } catch (const Error& e) {
    report_error(std::string("ccetl: cannot read run history: ") + e.what());
    return kExitUnavailable;
  }
  if (args.json) {
    std::fputs(status_list_json(snap).c_str(), stdout);
    return kExitOk;
  }
  std::printf("%-28s %-21s %-10s %-21s %12s %6s\n", "JOB", "LAST RUN", "STATUS", "LAST SUCCESS", "ROWS", "AGE");
  for (const auto& j : snap.jobs) {
    const RunRecord* last = j.last_run ? &*j.last_run : nullptr;
    std::string age = j.last_success ? age_text(snap.now - static_cast<int64_t>(std::floor(*j.last_success))) : "-";
    std::printf("%-28s %-21s %-10s %-21s %12s %6s\n", j.job.c_str(), last ? iso_utc(last->started).c_str() : "never",
                last ? last->status.c_str() : "-", j.last_success ? iso_utc(*j.last_success).c_str() : "never",
                last ? std::to_string(last->rows()).c_str() : "-", age.c_str());
  }
  return kExitOk;
}

}  // namespace ccetl
