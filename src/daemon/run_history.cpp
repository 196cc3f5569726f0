#include "daemon/run_history.h"

#include "warehouse/queries.h"

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

}  // namespace ccetl
