#include "daemon/scheduler.h"

#include <algorithm>

namespace ccetl {

Scheduler::Scheduler(const Config& config, SysSeconds now, const std::map<std::string, SysSeconds>& last_success)
    : max_concurrent_(std::max(1, config.daemon.max_concurrent_jobs)) {
  for (const JobSpec& job : config.jobs) {
    Entry e;
    e.job = job.name;
    e.after = job.after;
    if (!job.schedule.empty())
      e.schedule = Schedule::cron(job.schedule, config.daemon.time_zone);
    else if (job.interval)
      e.schedule = Schedule::every(*job.interval, last_success.count(job.name) ? last_success.at(job.name) : now);
    if (e.schedule) {
      e.next_fire = e.schedule->next_after(now);
      // Catch-up: a fire time passed since the last success (or there never was one).
      auto last = last_success.find(job.name);
      if (last == last_success.end()) {
        e.pending = true;
      } else {
        // The first fire time after the last success; with daemon.catch_up set, only a miss
        // that recent is made up for.
        auto missed = e.schedule->next_after(last->second);
        bool recent = !config.daemon.catch_up || now - *missed <= *config.daemon.catch_up;
        if (missed && *missed <= now && recent) e.pending = true;
      }
    }
    entries_.push_back(std::move(e));
  }
}

Scheduler::Decision Scheduler::tick(SysSeconds now) {
  Decision d;
  for (Entry& e : entries_) {
    if (!e.schedule || !e.next_fire || *e.next_fire > now) continue;
    if (e.running)
      d.skipped.push_back(e.job);
    else
      e.pending = true;
    e.next_fire = e.schedule->next_after(now);
  }
  int slots = max_concurrent_ - running();
  for (Entry& e : entries_) {
    if (slots <= 0) break;
    if (!e.pending || e.running) continue;
    e.pending = false;
    e.running = true;
    d.start.push_back(e.job);
    --slots;
  }
  return d;
}

void Scheduler::finished(const std::string& job, bool succeeded) {
  for (Entry& e : entries_) {
    if (e.job == job) e.running = false;
  }
  if (!succeeded) return;
  for (Entry& e : entries_)
    if (std::find(e.after.begin(), e.after.end(), job) != e.after.end()) e.pending = true;
}

void Scheduler::mark_running(const std::string& job) {
  for (Entry& e : entries_)
    if (e.job == job) {
      e.running = true;
      e.pending = false;
    }
}

std::optional<SysSeconds> Scheduler::next_wakeup() const {
  std::optional<SysSeconds> next;
  for (const Entry& e : entries_)
    if (e.next_fire && (!next || *e.next_fire < *next)) next = e.next_fire;
  return next;
}

std::map<std::string, SysSeconds> Scheduler::next_fires() const {
  std::map<std::string, SysSeconds> out;
  for (const Entry& e : entries_)
    if (e.next_fire) out[e.job] = *e.next_fire;
  return out;
}

int Scheduler::running() const {
  return static_cast<int>(std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.running; }));
}

bool Scheduler::is_running(const std::string& job) const {
  for (const Entry& e : entries_)
    if (e.job == job) return e.running;
  return false;
}

}  // namespace ccetl
