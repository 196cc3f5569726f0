#include "daemon/metrics.h"

#include <array>
#include <cstdio>

namespace ccetl {
namespace {

constexpr std::array<double, 10> kDurationBuckets{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600};

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

void Metrics::record_run(const std::string& job, const std::string& outcome, double seconds,
                         const RunCounts& counts, double finished_unix_time) {
  std::lock_guard lock(mu_);
  JobMetrics& m = jobs_[job];
  m.runs_by_outcome[outcome]++;
  if (outcome == "skipped") return;
  m.rows_by_outcome["read"] += counts.rows_read;
  m.rows_by_outcome["inserted"] += counts.inserted;
  m.rows_by_outcome["updated"] += counts.updated;
  m.rows_by_outcome["unchanged"] += counts.unchanged;
  m.rows_by_outcome["deleted"] += counts.deleted;
  m.rows_by_outcome["rejected"] += counts.rejected;
  m.pages += counts.pages;
  if (m.duration_buckets.empty()) m.duration_buckets.assign(kDurationBuckets.size(), 0);
  for (size_t i = 0; i < kDurationBuckets.size(); ++i)
    if (seconds <= kDurationBuckets[i]) m.duration_buckets[i]++;
  m.duration_sum += seconds;
  m.duration_count++;
  if (outcome == "succeeded") m.last_success = finished_unix_time;
}

void Metrics::set_http(const std::vector<std::pair<int, int64_t>>& by_status, int64_t retries, int64_t throttled) {
  std::lock_guard lock(mu_);
  http_by_status_ = by_status;
  retries_ = retries;
  throttled_ = throttled;
}

void Metrics::set_ready(bool config_loaded, bool database_reachable) {
  std::lock_guard lock(mu_);
  config_loaded_ = config_loaded;
  database_reachable_ = database_reachable;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  auto help = [&](const char* name, const char* type, const char* text) {
    out += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  help("ccetl_runs_total", "counter", "Job runs by outcome (succeeded, failed, skipped).");
  for (const auto& [job, m] : jobs_)
    for (const auto& [outcome, n] : m.runs_by_outcome)
      out += "ccetl_runs_total{job=\"" + label_escape(job) + "\",outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
  help("ccetl_rows_total", "counter", "Rows by outcome (read, inserted, updated, unchanged, deleted, rejected).");
  for (const auto& [job, m] : jobs_)
    for (const auto& [outcome, n] : m.rows_by_outcome)
      out += "ccetl_rows_total{job=\"" + label_escape(job) + "\",outcome=\"" + outcome + "\"} " + std::to_string(n) + "\n";
  help("ccetl_pages_total", "counter", "Data-package pages loaded.");
  for (const auto& [job, m] : jobs_)
    out += "ccetl_pages_total{job=\"" + label_escape(job) + "\"} " + std::to_string(m.pages) + "\n";
  help("ccetl_run_duration_seconds", "histogram", "Duration of job runs.");
  for (const auto& [job, m] : jobs_) {
    if (m.duration_count == 0) continue;
    std::string j = label_escape(job);
    for (size_t i = 0; i < kDurationBuckets.size(); ++i)
      out += "ccetl_run_duration_seconds_bucket{job=\"" + j + "\",le=\"" + num(kDurationBuckets[i]) + "\"} " +
             std::to_string(m.duration_buckets[i]) + "\n";
    out += "ccetl_run_duration_seconds_bucket{job=\"" + j + "\",le=\"+Inf\"} " + std::to_string(m.duration_count) + "\n";
    out += "ccetl_run_duration_seconds_sum{job=\"" + j + "\"} " + num(m.duration_sum) + "\n";
    out += "ccetl_run_duration_seconds_count{job=\"" + j + "\"} " + std::to_string(m.duration_count) + "\n";
  }
  help("ccetl_last_success_timestamp_seconds", "gauge", "Unix time of the job's last successful run.");
  for (const auto& [job, m] : jobs_)
    if (m.last_success > 0)
      out += "ccetl_last_success_timestamp_seconds{job=\"" + label_escape(job) + "\"} " + num(m.last_success) + "\n";
  help("ccetl_http_requests_total", "counter", "Centercode API answers by HTTP status.");
  for (const auto& [status, n] : http_by_status_)
    out += "ccetl_http_requests_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  help("ccetl_http_retries_total", "counter", "Centercode API requests retried.");
  out += "ccetl_http_retries_total " + std::to_string(retries_) + "\n";
  help("ccetl_http_throttled_total", "counter", "Centercode API answers of 429 Too Many Requests.");
  out += "ccetl_http_throttled_total " + std::to_string(throttled_) + "\n";
  help("ccetl_ready", "gauge", "1 when the configuration is loaded and the database reachable.");
  out += std::string("ccetl_ready ") + (config_loaded_ && database_reachable_ ? "1" : "0") + "\n";
  return out;
}

}  // namespace ccetl
