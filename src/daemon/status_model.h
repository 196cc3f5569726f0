// What the status page (GET /, /jobs/NAME), its JSON (/api/jobs) and `ccetl status` show: a
// snapshot of every configured job, built from the configuration, the daemon's scheduler and
// ccetl.runs. Plain data: rendering is a pure function of it (status_page.h, status_json.h), and
// the bounded queries that fill it live in status_data.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace ccetl {

// One row of ccetl.runs. Times are Unix seconds with fractions.
struct RunRecord {
  std::string status;  // as stored: running | succeeded | failed | abandoned
  double started = 0;
  std::optional<double> finished;
  int64_t pages = 0, rows_read = 0, inserted = 0, updated = 0, unchanged = 0, deleted = 0, rejected = 0,
          duplicates = 0;
  std::string messages;  // newline-separated notes of the run (may be cut; see status_data.h)
  std::string error;     // empty when none

  // `ccetl status`'s "rows": the rows the load holds (inserted + updated + unchanged).
  int64_t rows() const { return inserted + updated + unchanged; }
  // Rows the run changed in its table (or sent, for push jobs): inserted + updated + deleted.
  int64_t rows_written() const { return inserted + updated + deleted; }
  // finished - started; for a run still going, now - started.
  double duration(double now) const { return (finished ? *finished : now) - started; }
};

// The four words the page uses for a job's last run. `abandoned` runs (the process died) count
// as failed.
enum class JobState { Failed, Running, Succeeded, Never };
const char* state_word(JobState state);

struct JobSummary {
  std::string job;
  std::string kind;      // "pull" | "lookup" | "push"
  std::string schedule;  // "cron '0 3 * * *' in UTC", "every 6h", "after a, b", or "manual"
  std::optional<int64_t> next_run;      // Unix seconds; known only inside the daemon
  std::optional<RunRecord> last_run;    // newest run by start time
  std::optional<double> last_success;   // end of the newest succeeded run
  // From this time on the job is stale: its schedule has passed two fire times since the last
  // success (plus kStaleGrace). nullopt for jobs without a schedule or without a success.
  std::optional<int64_t> stale_at;

  JobState state() const;
  bool stale(int64_t now) const { return stale_at && now >= *stale_at; }
};

inline constexpr int64_t kStaleGrace = 300;  // seconds: room for a long run before "stale"

struct StatusSnapshot {
  int64_t now = 0;                 // Unix seconds: the database's clock when it answered
  std::vector<JobSummary> jobs;    // configuration order
  std::string history_error;       // non-empty when ccetl.runs could not be read, and why
};

// A table a job writes, with its row count. Counts are exact up to kExactCountLimit rows, above
// that PostgreSQL's estimate (pg_class.reltuples) marked `estimated`.
struct TableCount {
  std::string name;  // "schema.table", or "ccetl.push_log (state)" for a push job's ledger
  std::optional<int64_t> rows;  // nullopt: the table does not exist (yet)
  bool estimated = false;
};
inline constexpr int64_t kExactCountLimit = 100000;

struct JobDetail {
  int64_t now = 0;
  JobSummary summary;
  std::vector<RunRecord> runs;  // newest first, at most kRunsShown
  std::vector<TableCount> tables;
  std::string history_error;
};
inline constexpr int kRunsShown = 50;

// "pull", "lookup" or "push".
std::string job_kind(const JobSpec& job);
// How and when the job runs, in words (see JobSummary::schedule).
std::string schedule_text(const JobSpec& job, const std::string& time_zone);
// JobSummary::stale_at for a job whose last success ended at `last_success`.
std::optional<int64_t> stale_at(const JobSpec& job, const std::string& time_zone, double last_success);
// The configuration's part of a summary (job, kind, schedule); runs are filled in by the caller.
JobSummary summary_of(const JobSpec& job, const Config& config);

// The overview's order: failed jobs first, then stale ones, then the rest; by name within each.
std::vector<JobSummary> sorted_for_overview(std::vector<JobSummary> jobs, int64_t now);

// Masks every secret (API keys) and apiKey= parameter in the run's texts.
void redact_run(RunRecord& run, const std::vector<std::string>& secrets);
// Every API key of the configuration (centercode.api_key and the jobs' own).
std::vector<std::string> api_keys_of(const Config& config);

// "45s", "12m", "5h", "3d" (the unit changes at 120 s, 120 min and 48 h).
std::string age_text(int64_t seconds);
// "420 ms", "4.2 s", "12 s", "4m 05s", "2h 03m".
std::string duration_text(double seconds);
// "2026-12-01T21:27:49Z" (fractions dropped).
std::string iso_utc(double unix_seconds);

}  // namespace ccetl
