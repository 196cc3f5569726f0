#include "daemon/metrics.h"

#include <array>
#include <cstdio>

#include "core/version.h"

namespace ccetl {
namespace {

constexpr std::array<double, 10> kDurationBuckets{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600};
// Outcomes every job shows from the start (0 until they happen), so that increase() and absence
// alerts work before the first failure.
constexpr std::array<const char*, 4> kOutcomes{"succeeded", "deletes_skipped", "failed", "skipped"};
constexpr std::array<const char*, 3> kWritten{"inserted", "updated", "deleted"};

std::string label_escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Metrics::JobMetrics& Metrics::job_locked(const std::string& job) {
  auto [it, inserted] = jobs_.try_emplace(job);
  if (inserted) {
    for (const char* o : kOutcomes) it->second.runs_by_outcome[o] = 0;
    for (const char* w : kWritten) it->second.rows_written[w] = 0;
    it->second.duration_buckets.assign(kDurationBuckets.size(), 0);
  }
  return it->second;
}

void Metrics::add_jobs(const std::vector<std::string>& jobs) {
  std::lock_guard lock(mu_);
  for (const auto& job : jobs) job_locked(job);
}

void Metrics::restore_last_complete(const std::map<std::string, double>& finished_unix_time) {
  std::lock_guard lock(mu_);
  for (const auto& [job, t] : finished_unix_time) {
    JobMetrics& m = job_locked(job);
    if (t > m.last_complete) m.last_complete = t;
  }
}

void Metrics::record_run(const std::string& job, const std::string& outcome, double seconds,
                         const RunCounts& counts, double finished_unix_time) {
  std::lock_guard lock(mu_);
  JobMetrics& m = job_locked(job);
  const bool partial = outcome == "succeeded" && removals_skipped(counts.messages);
  m.runs_by_outcome[partial ? "deletes_skipped" : outcome]++;
  if (outcome == "skipped") return;
  m.rows_read += counts.rows_read;
  m.rows_written["inserted"] += counts.inserted;
  m.rows_written["updated"] += counts.updated;
  m.rows_written["deleted"] += counts.deleted;
  m.rows_unchanged += counts.unchanged;
  m.rows_rejected += counts.rejected;
  m.pages += counts.pages;
  for (size_t i = 0; i < kDurationBuckets.size(); ++i)
    if (seconds <= kDurationBuckets[i]) m.duration_buckets[i]++;
  m.duration_sum += seconds;
  m.duration_count++;
  if (outcome == "succeeded" && !partial && finished_unix_time > m.last_complete) m.last_complete = finished_unix_time;
}

void Metrics::set_http(uint64_t client_generation, const ClientStats& stats) {
  std::lock_guard lock(mu_);
  http_by_client_[client_generation] = stats;
}

void Metrics::set_ready(bool config_loaded, bool database_reachable) {
  std::lock_guard lock(mu_);
  ready_ = std::make_pair(config_loaded, database_reachable);
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto help = [&](const char* name, const char* type, const char* text) {
    out += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  auto job_label = [](const std::string& job) { return "ccetl_job=\"" + label_escape(job) + "\""; };

  help("ccetl_build_info", "gauge", "Always 1; the version of the running ccetl.");
  out += std::string("ccetl_build_info{version=\"") + version() + std::string("\"} 1\n");
  help("ccetl_runs_total", "counter",
       "Job runs by outcome: succeeded, deletes_skipped (loaded, but deletes or the full refresh were skipped), "
       "failed, skipped (another process held the job's lock).");
  for (const auto& [job, m] : jobs_)
    for (const auto& [outcome, n] : m.runs_by_outcome)
      out += "ccetl_runs_total{" + job_label(job) + ",outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
  help("ccetl_rows_read_total", "counter", "Rows received from the Centercode API (rejected ones included).");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_rows_read_total{" + job_label(job) + "} " + std::to_string(m.rows_read) + "\n";
  help("ccetl_rows_written_total", "counter", "Rows changed in the target table, by outcome (inserted, updated, deleted).");
  for (const auto& [job, m] : jobs_)
    for (const auto& [outcome, n] : m.rows_written)
      out += "ccetl_rows_written_total{" + job_label(job) + ",outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
  help("ccetl_rows_unchanged_total", "counter", "Rows read that matched the stored row (nothing written).");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_rows_unchanged_total{" + job_label(job) + "} " + std::to_string(m.rows_unchanged) + "\n";
  help("ccetl_rows_rejected_total", "counter", "Rejected values or rows (recorded in ccetl.rejects).");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_rows_rejected_total{" + job_label(job) + "} " + std::to_string(m.rows_rejected) + "\n";
  help("ccetl_pages_total", "counter", "Data-package pages loaded.");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_pages_total{" + job_label(job) + "} " + std::to_string(m.pages) + "\n";
  help("ccetl_run_duration_seconds", "histogram", "Duration of job runs.");
  for (const auto& [job, m] : jobs_) {
    std::string j = job_label(job);
    for (size_t i = 0; i < kDurationBuckets.size(); ++i)
      out += "ccetl_run_duration_seconds_bucket{" + j + ",le=\"" + num(kDurationBuckets[i]) + "\"} " +
             std::to_string(m.duration_buckets[i]) + "\n";
    out += "ccetl_run_duration_seconds_bucket{" + j + ",le=\"+Inf\"} " + std::to_string(m.duration_count) + "\n";
    out += "ccetl_run_duration_seconds_sum{" + j + "} " + num(m.duration_sum) + "\n";
    out += "ccetl_run_duration_seconds_count{" + j + "} " + std::to_string(m.duration_count) + "\n";
  }
  help("ccetl_last_success_timestamp_seconds", "gauge",
       "Unix time of the job's last complete sync (succeeded, deletes applied); 0 when there was none. "
       "Restored from ccetl.runs at start.");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_last_success_timestamp_seconds{" + job_label(job) + "} " + num(m.last_complete) + "\n";

  std::map<int, int64_t> by_status;
  int64_t retries = 0, throttled = 0;
  for (const auto& [generation, s] : http_by_client_) {
    for (const auto& [status, n] : s.by_status) by_status[status] += n;
    retries += s.retries;
    throttled += s.throttled;
  }
  help("ccetl_http_requests_total", "counter", "Centercode API answers by HTTP status.");
  for (const auto& [status, n] : by_status)
    out += "ccetl_http_requests_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  help("ccetl_http_retries_total", "counter", "Centercode API requests retried.");
  out += "ccetl_http_retries_total " + std::to_string(retries) + "\n";
  help("ccetl_http_throttled_total", "counter", "Centercode API answers of 429 Too Many Requests.");
  out += "ccetl_http_throttled_total " + std::to_string(throttled) + "\n";
  if (ready_) {
    help("ccetl_ready", "gauge", "1 when the configuration is loaded and the database reachable.");
    out += std::string("ccetl_ready ") + (ready_->first && ready_->second ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace ccetl
