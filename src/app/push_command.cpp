// `ccetl push list` and `ccetl push retry`: reading and resolving the push ledger without SQL.
// A row of unknown outcome is never sent again by a run; after checking Centercode, a person
// marks it (or a failed row) with `push retry` so that the next run sends it again.
#include <algorithm>
#include <cstdio>
#include <map>

#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "core/error.h"
#include "core/redact.h"
#include "push/json_text.h"
#include "push/ledger.h"
#include "warehouse/warehouse.h"

namespace ccetl {
namespace {

// The job named `name`, when it is a push job; otherwise prints why and returns null.
const JobSpec* push_job(const Config& config, const std::string& name, const std::string& path) {
  for (const auto& job : config.jobs) {
    if (job.name != name) continue;
    if (job.push) return &job;
    std::fprintf(stderr, "ccetl: job '%s' in %s is not a push job\n", name.c_str(), path.c_str());
    return nullptr;
  }
  std::fprintf(stderr, "ccetl: no job named '%s' in %s\n", name.c_str(), path.c_str());
  return nullptr;
}

// `--key` takes the ledger's row key as `push list` prints it (a JSON array such as
// ["BUG-1"], or payload:<hash>), or, for a single key column, the bare value.
std::string row_key_of(const std::string& value) {
  if (value.rfind("[", 0) == 0 || value.rfind("payload:", 0) == 0) return value;
  return "[" + json_string(value) + "]";
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

}  // namespace

int push_list_command(const PushListArgs& args) {
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  const JobSpec* job = push_job(*config, args.job, args.config_path);
  if (!job) return kExitUsage;
  static const char* kStates[] = {"", "intent", "sent", "succeeded", "failed", "unknown"};
  bool known = false;
  for (const char* s : kStates) known = known || args.state == s;
  if (!known) {
    std::fprintf(stderr, "ccetl: --state must be intent, sent, succeeded, failed or unknown, not '%s'\n",
                 args.state.c_str());
    return kExitUsage;
  }
  try {
    push::Ledger ledger(config->warehouse.dsn, job->name, /*read_only=*/true);
    auto rows = ledger.list(args.state);
    std::printf("%-40s %-9s %4s %3s %-20s %-14s %-7s %s\n", "ROW KEY", "STATE", "HTTP", "TRY", "LAST SENT (UTC)",
                "CREATED", "FILES", "ERROR");
    for (const auto& r : rows) {
      const auto& e = r.entry;
      std::string created = !e.created_key.empty() ? e.created_key : e.created_id;
      std::string files = r.files_total ? std::to_string(r.files_uploaded) + "/" + std::to_string(r.files_total) : "-";
      std::string http = e.http_status ? std::to_string(*e.http_status) : "-";
      std::string error = e.error;
      if (error.empty() && e.state == "sent" && !e.status_endpoint.empty())
        error = "queued operation pending; the next run polls its status";
      std::printf("%-40s %-9s %4s %3d %-20s %-14s %-7s %s\n", r.row_key.c_str(), e.state.c_str(), http.c_str(),
                  e.attempts, r.last_sent_at.empty() ? "-" : r.last_sent_at.c_str(),
                  created.empty() ? "-" : created.c_str(), files.c_str(),
                  one_line(redact(error, job->api_key)).c_str());
    }
    std::printf("%zu row(s)\n", rows.size());
    return kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "ccetl: %s\n", redact(e.what(), job->api_key).c_str());
    return kExitUnavailable;
  }
}

int push_retry_command(const PushRetryArgs& args) {
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  const JobSpec* job = push_job(*config, args.job, args.config_path);
  if (!job) return kExitUsage;
  std::vector<std::string> keys;
  for (const auto& k : args.keys) keys.push_back(row_key_of(k));
  try {
    // A run of the job holds its advisory lock while it sends: re-marking the row it has in
    // flight (`intent`) would let a crash of that run send it a second time.
    auto lock = connect_warehouse(config->warehouse.dsn);
    if (!lock->try_lock_job(job->name)) {
      std::fprintf(stderr,
                   "ccetl: job '%s' is running in another process (its advisory lock is held); run push retry "
                   "after that run has ended\n",
                   job->name.c_str());
      return kExitUnavailable;
    }
    push::Ledger ledger(config->warehouse.dsn, job->name, /*read_only=*/false);
    std::map<std::string, push::LedgerEntry> before;
    if (!keys.empty()) before = ledger.load();
    std::vector<std::string> marked;
    if (args.applied) {
      for (const auto& a : ledger.mark_applied(keys)) {
        marked.push_back(a.row_key);
        if (a.state == "sent")
          std::printf("%s: marked applied; never sent again (the next run uploads its %lld attachment(s) never "
                      "started)\n",
                      a.row_key.c_str(), static_cast<long long>(a.files_outstanding));
        else if (a.files_given_up > 0)
          std::printf("%s: marked succeeded; %lld attachment(s) given up, never uploaded\n", a.row_key.c_str(),
                      static_cast<long long>(a.files_given_up));
        else
          std::printf("%s: marked succeeded; never sent again\n", a.row_key.c_str());
      }
    } else {
      marked = ledger.mark_for_retry(keys);
      for (const auto& k : marked) std::printf("%s: marked; the next run sends it again\n", k.c_str());
    }
    int not_marked = 0;
    for (const auto& k : keys) {
      if (std::find(marked.begin(), marked.end(), k) != marked.end()) continue;
      auto it = before.find(k);
      if (it == before.end()) {
        ++not_marked;
        std::fprintf(stderr, "ccetl: %s: no such row in the ledger of job '%s' (see ccetl push list)\n", k.c_str(),
                     job->name.c_str());
      } else {
        ++not_marked;
        std::fprintf(stderr, "ccetl: %s: state %s, not %s; left as is\n", k.c_str(), it->second.state.c_str(),
                     args.applied ? "unknown or sent" : "unknown or failed");
      }
    }
    if (args.applied)
      std::printf("%zu row(s) of job '%s' marked applied\n", marked.size(), job->name.c_str());
    else
      std::printf("%zu row(s) of job '%s' marked for the next run (a created feedback is kept: only its missing "
                  "attachments are uploaded)\n",
                  marked.size(), job->name.c_str());
    return not_marked ? kExitUsage : kExitOk;
  } catch (const Error& e) {
    std::fprintf(stderr, "ccetl: %s\n", redact(e.what(), job->api_key).c_str());
    return kExitUnavailable;
  }
}

}  // namespace ccetl
