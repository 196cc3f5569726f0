// A push run sends row by row, recording each row in the ledger before and after its request,
// so that what was sent is known whatever happens to the process. Queued operations (macro
// listeners, user imports) are sent first and followed afterwards, all together, so a run with
// many rows waits for the slowest operation once rather than once per row.
#include "push/push_job.h"

#include <set>

#include "core/error.h"
#include "core/redact.h"
#include "push/dry_run_printer.h"
#include "push/ledger.h"
#include "push/payload.h"
#include "push/row_decision.h"
#include "push/run_record.h"
#include "push/target_sender.h"
#include "push/typed_query.h"

namespace ccetl {
namespace {

using namespace push;

constexpr size_t kMaxMessages = 50;

// The state of one run, shared by its phases.
class PushRun {
 public:
  PushRun(const Config& config, const JobSpec& job, ApiClient& client, const RunOptions& options, bool dry_run,
          const PushTuning& tuning, JobOutcome& outcome)
      : config_(config),
        job_(job),
        spec_(*job.push),
        client_(client),
        options_(options),
        dry_run_(dry_run),
        tuning_(tuning),
        outcome_(outcome) {}

  // Sends what the ledger allows and follows queued operations. Throws Error for failures of
  // the whole run (query, ledger database); per-row failures are counted instead.
  void run() {
    TypedResult result = run_typed_query(config_.warehouse.dsn, spec_.sql);
    check_columns(spec_, result);
    ledger_ = std::make_unique<Ledger>(config_.warehouse.dsn, job_.name, dry_run_);
    auto entries = ledger_->load();
    outcome_.counts.rows_read = static_cast<int64_t>(result.rows.size());

    std::set<std::string> seen;
    int64_t would_send = 0;
    for (size_t i = 0; i < result.rows.size() && !stopped_; ++i) {
      if (options_.cancel && options_.cancel->load()) {
        fail("cancelled");
        break;
      }
      PushRow row = build_row(spec_, result, i);
      if (!seen.insert(row.row_key).second) {
        ++outcome_.counts.duplicates;
        message("row " + row.row_key + " repeats an earlier row's key in the query result; skipped");
        continue;
      }
      auto it = entries.find(row.row_key);
      RowDecision decision = decide_row(spec_, it == entries.end() ? nullptr : &it->second, row);
      switch (decision.action) {
        case RowAction::Skip:
          ++outcome_.counts.unchanged;
          if (decision.warn) message(decision.reason);
          if (dry_run_) print_skip(tuning_.dry_run_out, row, decision.reason, job_.api_key);
          continue;
        case RowAction::MarkUnknown:
          ++outcome_.counts.unchanged;
          message(decision.reason);
          if (dry_run_)
            print_skip(tuning_.dry_run_out, row, "would be marked unknown (intent without result)", job_.api_key);
          else
            ledger_->mark_unknown(row.row_key, "intent recorded but no result (the sending run ended early)");
          continue;
        case RowAction::Resume:
          if (dry_run_) {
            print_skip(tuning_.dry_run_out, row, "queued operation; its status would be followed", job_.api_key);
            continue;
          }
          pending_.push_back({row.row_key, it->second.status_endpoint, "", ""});
          continue;
        case RowAction::Send:
          break;
      }
      if (!row.error.empty()) {
        row_failed(row.row_key, row.error);
        continue;
      }
      if (dry_run_) {
        print_would_send(tuning_.dry_run_out, spec_, row, job_.api_key);
        ++would_send;
        continue;
      }
      send(row);
      if (options_.progress)
        options_.progress->update(job_.name, 0, -1, static_cast<int64_t>(i + 1));
    }
    if (dry_run_)
      message("dry run: " + std::to_string(would_send) + " row(s) would be sent; nothing was sent or recorded");
    else
      follow_pending();
    if (options_.progress) options_.progress->finish(job_.name);
  }

  bool stopped() const { return stopped_; }

 private:
  void send(const PushRow& row) {
    ledger_->record_intent(row.row_key, row.payload_hash);
    SendOutcome sent = send_row(client_, spec_, job_.api_key, row);
    ledger_->record_result(row.row_key, sent.ledger);
    for (auto& w : sent.warnings) message(w);
    if (sent.awaits_status) {
      pending_.push_back({row.row_key, sent.ledger.status_endpoint, "", ""});
    } else if (sent.ok) {
      ++outcome_.counts.inserted;
    } else if (sent.ledger.state == "unknown") {
      row_failed(row.row_key, "outcome unknown: " + sent.ledger.error + " (not sent again until its ccetl.push_log "
                                                                          "row is deleted)");
    } else {
      std::string status = sent.ledger.http_status ? " (HTTP " + std::to_string(*sent.ledger.http_status) + ")" : "";
      row_failed(row.row_key, sent.ledger.error + status);
    }
  }

  void follow_pending() {
    if (pending_.empty()) return;
    poll_operations(client_, job_.api_key, pending_, tuning_.poll, options_.cancel);
    for (const auto& op : pending_) {
      LedgerResult result;
      result.status_endpoint = op.status_endpoint;
      result.http_status = 202;
      result.final_status = op.final_status;
      if (op.final_status == "Succeeded") {
        result.state = "succeeded";
        ++outcome_.counts.inserted;
      } else if (op.final_status == "Failed") {
        result.state = "failed";
        result.error = "the queued operation ended Failed";
        row_failed(op.row_key, result.error);
      } else {
        result.state = "unknown";
        result.error = op.error.empty() ? "the queued operation did not finish within " +
                                              std::to_string(tuning_.poll.timeout.count() / 1000) + " s"
                                        : op.error;
        message("row " + op.row_key + ": outcome unknown: " + result.error);
      }
      ledger_->record_result(op.row_key, result);
    }
  }

  void row_failed(const std::string& row_key, const std::string& error) {
    ++outcome_.counts.rejected;
    message("row " + row_key + " failed: " + error);
    if (outcome_.counts.rejected > spec_.max_failures && !stopped_) {
      fail(std::to_string(outcome_.counts.rejected) + " rows failed, more than max_failures (" +
           std::to_string(spec_.max_failures) + "); stopped sending");
    }
  }

  void fail(const std::string& error) {
    stopped_ = true;
    if (outcome_.error.empty()) outcome_.error = error;
  }

  void message(const std::string& text) {
    std::string clean = redact(text, job_.api_key);
    if (outcome_.messages.size() < kMaxMessages) {
      outcome_.messages.push_back(std::move(clean));
    } else if (outcome_.messages.size() == kMaxMessages) {
      outcome_.messages.push_back("(further messages omitted; see ccetl.push_log)");
    }
  }

  const Config& config_;
  const JobSpec& job_;
  const PushSpec& spec_;
  ApiClient& client_;
  const RunOptions& options_;
  bool dry_run_;
  const PushTuning& tuning_;
  JobOutcome& outcome_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<PendingOperation> pending_;
  bool stopped_ = false;
};

}  // namespace

JobOutcome run_push_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse* warehouse,
                        const RunOptions& options, bool dry_run) {
  return run_push_job(config, job, client, warehouse, options, dry_run, PushTuning{});
}

JobOutcome run_push_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse* warehouse,
                        const RunOptions& options, bool dry_run, const PushTuning& tuning) {
  const auto started = std::chrono::steady_clock::now();
  JobOutcome outcome;
  outcome.job = job.name;
  auto finish = [&]() -> JobOutcome {
    outcome.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return outcome;
  };
  if (!job.push) {
    outcome.error = "not a push job";
    return finish();
  }
  if (!dry_run) {
    if (!warehouse) {
      outcome.error = "a push run needs the warehouse";
      return finish();
    }
    try {
      outcome.run_id = warehouse->start_run(job.name);
    } catch (const Error& e) {
      outcome.error = redact(e.what(), job.api_key);
      return finish();
    }
  }
  PushRun run(config, job, client, options, dry_run, tuning, outcome);
  try {
    run.run();
  } catch (const Error& e) {
    if (outcome.error.empty()) outcome.error = redact(e.what(), job.api_key);
  } catch (const std::exception& e) {
    if (outcome.error.empty()) outcome.error = redact(std::string("unexpected: ") + e.what(), job.api_key);
  }
  outcome.succeeded = outcome.error.empty();
  if (!dry_run) {
    try {
      if (outcome.succeeded)
        mark_run_succeeded(config.warehouse.dsn, outcome.run_id, outcome.counts, outcome.messages);
      else
        warehouse->fail_run(outcome.run_id, outcome.error, outcome.counts);
    } catch (const Error& e) {
      outcome.succeeded = false;
      outcome.messages.push_back(std::string("could not record the run: ") + e.what());
      if (outcome.error.empty()) outcome.error = std::string("could not record the run: ") + e.what();
    }
  }
  return finish();
}

}  // namespace ccetl
