#include "daemon/status_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/redact.h"
#include "schedule/schedule.h"

namespace ccetl {
namespace {

std::optional<Schedule> schedule_of(const JobSpec& job, const std::string& time_zone, SysSeconds anchor) {
  try {
    if (!job.schedule.empty()) return Schedule::cron(job.schedule, time_zone);
    if (job.interval) return Schedule::every(*job.interval, anchor);
  } catch (const Error&) {
    // load_config has validated the schedule; a zone removed since then shows as "manual".
  }
  return std::nullopt;
}

SysSeconds to_sys(double unix_seconds) {
  return SysSeconds{std::chrono::seconds{static_cast<int64_t>(std::floor(unix_seconds))}};
}

}  // namespace

const char* state_word(JobState state) {
  switch (state) {
    case JobState::Failed: return "failed";
    case JobState::Running: return "running";
    case JobState::Succeeded: return "succeeded";
    case JobState::Never: return "never";
  }
  return "never";
}

JobState JobSummary::state() const {
  if (!last_run) return JobState::Never;
  if (last_run->status == "succeeded") return JobState::Succeeded;
  if (last_run->status == "running") return JobState::Running;
  return JobState::Failed;  // failed, abandoned
}

std::string job_kind(const JobSpec& job) {
  if (job.push) return "push";
  if (job.source && !job.source->lookup.empty()) return "lookup";
  return "pull";
}

std::string schedule_text(const JobSpec& job, const std::string& time_zone) {
  std::string out;
  if (job.interval) {
    int64_t s = job.interval->count();
    out = "every " + (s % 86400 == 0   ? std::to_string(s / 86400) + "d"
                      : s % 3600 == 0 ? std::to_string(s / 3600) + "h"
                      : s % 60 == 0   ? std::to_string(s / 60) + "m"
                                      : std::to_string(s) + "s");
  } else if (auto schedule = schedule_of(job, time_zone, SysSeconds{})) {
    out = schedule->describe();
  }
  if (!job.after.empty()) {
    if (!out.empty()) out += "; ";
    out += "after ";
    for (size_t i = 0; i < job.after.size(); ++i) out += (i ? ", " : "") + job.after[i];
  }
  return out.empty() ? "manual" : out;
}

std::optional<int64_t> stale_at(const JobSpec& job, const std::string& time_zone, double last_success) {
  SysSeconds anchor = to_sys(last_success);
  auto schedule = schedule_of(job, time_zone, anchor);
  if (!schedule) return std::nullopt;
  auto first = schedule->next_after(anchor);
  if (!first) return std::nullopt;
  auto second = schedule->next_after(*first);
  if (!second) return std::nullopt;
  return second->time_since_epoch().count() + kStaleGrace;
}

JobSummary summary_of(const JobSpec& job, const Config& config) {
  JobSummary s;
  s.job = job.name;
  s.kind = job_kind(job);
  s.schedule = schedule_text(job, config.daemon.time_zone);
  return s;
}

std::vector<JobSummary> sorted_for_overview(std::vector<JobSummary> jobs, int64_t now) {
  auto rank = [now](const JobSummary& j) {
    if (j.state() == JobState::Failed) return 0;
    if (j.stale(now)) return 1;
    return 2;
  };
  std::stable_sort(jobs.begin(), jobs.end(), [&](const JobSummary& a, const JobSummary& b) {
    int ra = rank(a), rb = rank(b);
    return ra != rb ? ra < rb : a.job < b.job;
  });
  return jobs;
}

void redact_run(RunRecord& run, const std::vector<std::string>& secrets) {
  for (std::string* text : {&run.error, &run.messages}) {
    *text = mask_api_key_params(*text);
    for (const auto& secret : secrets) *text = redact(*text, secret);
  }
}

std::vector<std::string> api_keys_of(const Config& config) {
  std::vector<std::string> keys;
  auto add = [&](const std::string& k) {
    if (!k.empty() && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  };
  add(config.centercode.api_key);
  for (const auto& job : config.jobs) add(job.api_key);
  return keys;
}

std::string age_text(int64_t s) {
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string duration_text(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0f ms", std::floor(seconds * 1000));
  } else if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.0f s", std::floor(seconds));
  } else if (seconds < 3600) {
    auto s = static_cast<long long>(seconds);
    std::snprintf(buf, sizeof buf, "%lldm %02llds", s / 60, s % 60);
  } else {
    auto s = static_cast<long long>(seconds);
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

std::string iso_utc(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ccetl
