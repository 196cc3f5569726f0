// `ccetl status`: one line per configured job from ccetl.runs: last run, its status, last
// success, rows and age. `--json` prints the same as a JSON array for scripts.
#include <cstdio>
#include <map>
#include <optional>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "core/error.h"
#include "core/json_string.h"
#include "warehouse/queries.h"

namespace ccetl {
namespace {

struct JobStatus {
  std::string job;
  std::optional<std::string> last_run, status, last_success, rows, age_seconds, error;
};

// A JSON string, or null for NULL.
std::string json_or_null(const std::optional<std::string>& v) { return v ? json_string(*v) : "null"; }

std::string age_text(const std::optional<std::string>& seconds) {
  if (!seconds) return "-";
  long long s = std::stoll(*seconds);
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

}  // namespace

int status_command(const StatusArgs& args) {
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  QueryResult r;
  try {
    r = run_read_query(config->warehouse.dsn, R"SQL(
      WITH last AS (
        SELECT DISTINCT ON (job) job, started_at, status, inserted + updated + unchanged AS rows, error
        FROM ccetl.runs ORDER BY job, started_at DESC),
      ok AS (
        SELECT job, max(finished_at) AS finished_at FROM ccetl.runs WHERE status = 'succeeded' GROUP BY job)
      SELECT last.job, to_char(last.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), last.status,
             to_char(ok.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), last.rows,
             extract(epoch FROM now() - ok.finished_at)::bigint, last.error
      FROM last LEFT JOIN ok USING (job))SQL");
  } catch (const Error& e) {
    report_error(std::string("ccetl: cannot read run history: ") + e.what());
    return kExitUnavailable;
  }
  std::map<std::string, JobStatus> by_job;
  for (const auto& row : r.rows)
    if (row[0]) by_job[*row[0]] = JobStatus{*row[0], row[1], row[2], row[3], row[4], row[5], row[6]};
  std::vector<JobStatus> jobs;
  for (const auto& job : config->jobs) {
    auto it = by_job.find(job.name);
    jobs.push_back(it != by_job.end() ? it->second : JobStatus{job.name, {}, {}, {}, {}, {}, {}});
  }
  if (args.json) {
    std::printf("[");
    for (size_t i = 0; i < jobs.size(); ++i) {
      const auto& j = jobs[i];
      std::printf("%s\n  {\"job\": %s, \"last_run\": %s, \"status\": %s, \"last_success\": %s, \"rows\": %s, "
                  "\"age_seconds\": %s, \"error\": %s}",
                  i ? "," : "", json_or_null(j.job).c_str(), json_or_null(j.last_run).c_str(),
                  json_or_null(j.status).c_str(), json_or_null(j.last_success).c_str(),
                  j.rows ? j.rows->c_str() : "null", j.age_seconds ? j.age_seconds->c_str() : "null",
                  json_or_null(j.error).c_str());
    }
    std::printf("\n]\n");
    return kExitOk;
  }
  std::printf("%-28s %-21s %-10s %-21s %12s %6s\n", "JOB", "LAST RUN", "STATUS", "LAST SUCCESS", "ROWS", "AGE");
  for (const auto& j : jobs)
    std::printf("%-28s %-21s %-10s %-21s %12s %6s\n", j.job.c_str(), j.last_run.value_or("never").c_str(),
                j.status.value_or("-").c_str(), j.last_success.value_or("never").c_str(),
                j.rows.value_or("-").c_str(), age_text(j.age_seconds).c_str());
  return kExitOk;
}

}  // namespace ccetl
