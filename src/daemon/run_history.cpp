#include "daemon/run_history.h"

#include "warehouse/queries.h"
#include "warehouse/run_completeness.h"

namespace ccetl {

std::map<std::string, SysSeconds> last_successes(const std::string& dsn) {
  QueryResult r = run_read_query(
      dsn, "SELECT job, extract(epoch FROM max(finished_at))::bigint FROM ccetl.runs "
           "WHERE status = 'succeeded' GROUP BY job");
  std::map<std::string, SysSeconds> out;
  for (const auto& row : r.rows)
    if (row[0] && row[1]) out[*row[0]] = SysSeconds{std::chrono::seconds{std::stoll(*row[1])}};
  return out;
}

std::map<std::string, double> last_complete_syncs(const std::string& dsn) {
  // ccetl.runs.messages holds one message per line; `(?n)` makes ^ match at each line start.
  const std::string skipped_line = "(?n)^(" + std::string(kDeletesSkipped) + "|" +
                                   std::string(kRefreshSkipped) + ")";
  QueryResult r = run_read_query(
      dsn, "SELECT job, extract(epoch FROM max(finished_at))::float8 FROM ccetl.runs "
           "WHERE status = 'succeeded' AND finished_at IS NOT NULL AND "
           "(messages IS NULL OR messages !~ '" + skipped_line + "') GROUP BY job");
  std::map<std::string, double> out;
  for (const auto& row : r.rows)
    if (row[0] && row[1]) out[*row[0]] = std::stod(*row[1]);
  return out;
}

}  // namespace ccetl
