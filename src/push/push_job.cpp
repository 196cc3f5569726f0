// A push run sends row by row, recording each row in the ledger before and after its request,
// so that what was sent is known whatever happens to the process. Queued operations (macro
// listeners, user imports) are sent first and followed afterwards, all together, so a run with
// many rows waits for the slowest operation once rather than once per row.
#include "push/push_job.h"

#include <map>

#include "core/error.h"
#include "core/redact.h"
#include "push/dry_run_printer.h"
#include "push/feedback_uploads.h"
#include "push/ledger.h"
#include "push/payload.h"
#include "push/query_cursor.h"
#include "push/row_key_set.h"
#include "push/row_decision.h"
#include "push/run_record.h"
#include "push/target_sender.h"
#include "push/typed_query.h"

namespace ccetl {
namespace {

using namespace push;

constexpr size_t kMaxMessages = 50;
constexpr size_t kBatchRows = 500;  // rows fetched from the push query's cursor at a time

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
    ledger_ = std::make_unique<Ledger>(config_.warehouse.dsn, job_.name, dry_run_);
    // Rows with attachments may carry megabytes of bytea each: read them one at a time.
    // Bytea cells are decoded in the cursor (and then moved into the upload) only for columns
    // that serve one attachment and nothing else: a key, find or body column must keep
    // PostgreSQL's text, and a second element needs the cell again.
    std::map<std::string, int> uses;
    for (const auto& [element, column] : spec_.attachments) ++uses[column];
    for (const auto& column : spec_.key) uses[column] += 2;
    for (const auto& [path, column] : spec_.body) uses[column] += 2;
    uses["find"] += 2;
    std::set<std::string> attachment_columns;
    for (const auto& [element, column] : spec_.attachments)
      if (uses[column] == 1) attachment_columns.insert(column);
    QueryCursor query(config_.warehouse.dsn, spec_.sql, spec_.attachments.empty() ? kBatchRows : 1,
                      attachment_columns);
    TypedResult batch;
    bool checked = false;
    int64_t done = 0;
    while (!stopped_) {
      const bool more = query.next(batch);
      if (!checked) {
        check_columns(spec_, batch);
        checked = true;
      }
      if (!more) break;
      outcome_.counts.rows_read += static_cast<int64_t>(batch.rows.size());
      std::vector<std::string> keys;
      if (!spec_.key.empty())
        for (size_t i = 0; i < batch.rows.size(); ++i) keys.push_back(row_key_of(spec_, batch, i));
      auto entries = ledger_->load(keys);
      for (size_t i = 0; i < batch.rows.size() && !stopped_; ++i) {
        if (options_.cancel && options_.cancel->load()) {
          fail("cancelled");
          break;
        }
        process_row(batch, i, static_cast<size_t>(done), entries);
        ++done;
        if (options_.progress) options_.progress->update(job_.name, 0, -1, done);
      }
    }
    if (dry_run_)
      message("dry run: " + std::to_string(would_send_) + " row(s) would be sent; nothing was sent or recorded");
    else
      follow_pending();
    if (options_.progress) options_.progress->finish(job_.name);
  }

  bool stopped() const { return stopped_; }

 private:
  // Decides and, if the ledger allows, sends row `i` of `batch` (row `index` of the result).
  void process_row(TypedResult& batch, size_t i, size_t index, std::map<std::string, LedgerEntry>& entries) {
    PushRow row = build_row(spec_, batch, i);
    row.index = index;
    if (!seen_.insert(row.row_key)) {
      ++outcome_.counts.duplicates;
      message("row " + row.row_key + " repeats an earlier row's key in the query result; skipped");
      return;
    }
    if (spec_.key.empty()) entries = ledger_->load({row.row_key});  // keyed by payload: known only now
    auto it = entries.find(row.row_key);
    RowDecision decision = decide_row(spec_, it == entries.end() ? nullptr : &it->second, row);
    switch (decision.action) {
      case RowAction::Skip:
        if (it != entries.end() && it->second.state == "unknown" && !is_idempotent(spec_.kind))
          ++outcome_.unknown;  // still waiting for a person (ccetl push retry)
        else
          ++outcome_.counts.unchanged;
        if (decision.warn) message(decision.reason);
        if (dry_run_) print_skip(tuning_.dry_run_out, row, decision.reason, job_.api_key);
        return;
      case RowAction::MarkUnknown:
        ++outcome_.unknown;
        message(decision.reason);
        if (dry_run_)
          print_skip(tuning_.dry_run_out, row, "would be marked unknown (intent without result)", job_.api_key);
        else
          ledger_->mark_unknown(row.row_key, "intent recorded but no result (the sending run ended early)");
        return;
      case RowAction::Resume:
        if (dry_run_) {
          print_skip(tuning_.dry_run_out, row, "queued operation; its status would be followed", job_.api_key);
          return;
        }
        pending_.push_back({row.row_key, it->second.status_endpoint, "", ""});
        return;
      case RowAction::ResumeUploads:
        if (dry_run_) {
          print_skip(tuning_.dry_run_out, row, "created feedback; its missing attachments would be uploaded",
                     job_.api_key);
          return;
        }
        finish_uploads(row);
        return;
      case RowAction::Send:
        break;
    }
    if (!row.error.empty()) {
      row_failed(row.row_key, row.error);
      return;
    }
    if (dry_run_) {
      print_would_send(tuning_.dry_run_out, spec_, row, job_.api_key);
      ++would_send_;
      return;
    }
    send(row);
  }

  void send(const PushRow& row) {
    ledger_->record_intent(row.row_key, row.payload_hash);
    SendOutcome sent = send_row(client_, spec_, job_.api_key, row);
    if (sent.ok && spec_.kind == PushTargetKind::Feedback && !row.attachments.empty()) {
      // The feedback exists from here on: record it (and the uploads to do) before any upload.
      auto plan = plan_uploads(row, sent.file_elements, sent.ledger.created_key, sent.warnings);
      ledger_->record_created(row.row_key, sent.ledger, plan);
      for (auto& w : sent.warnings) message(w);
      finish_uploads(row);
      return;
    }
    ledger_->record_result(row.row_key, sent.ledger);
    for (auto& w : sent.warnings) message(w);
    if (sent.awaits_status) {
      pending_.push_back({row.row_key, sent.ledger.status_endpoint, "", ""});
    } else if (sent.ok) {
      ++outcome_.counts.inserted;
    } else if (sent.ledger.state == "unknown") {
      row_unknown(row.row_key, sent.ledger.error);
    } else {
      std::string status = sent.ledger.http_status ? " (HTTP " + std::to_string(*sent.ledger.http_status) + ")" : "";
      row_failed(row.row_key, sent.ledger.error + status);
    }
  }

  // Uploads a created feedback's missing attachments and records where the row stands.
  void finish_uploads(const PushRow& row) {
    UploadsOutcome up = upload_planned_files(client_, *ledger_, job_.api_key, row, options_.cancel);
    ledger_->set_state(row.row_key, up.state, up.error);
    if (up.state == "succeeded")
      ++outcome_.counts.inserted;
    else if (up.state == "unknown")
      row_unknown(row.row_key, up.error);
    else
      row_failed(row.row_key, up.error + " (the feedback exists; the next run uploads the missing files)");
  }

  void follow_pending() {
    if (pending_.empty()) return;
    poll_operations(client_, job_.api_key, pending_, tuning_.poll, options_.cancel);
    int64_t still_pending = 0;
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
      } else if (op.error.empty()) {
        // Still Pending/Processing (or the run was stopped): the status endpoint stays in the
        // ledger as `sent`, and the next run polls it again.
        ++still_pending;
        continue;
      } else {
        result.state = "unknown";
        result.error = op.error;
        row_unknown(op.row_key, result.error);
      }
      ledger_->record_result(op.row_key, result);
    }
    if (still_pending)
      message(std::to_string(still_pending) + " queued operation(s) still Pending/Processing after " +
              std::to_string(tuning_.poll.timeout.count() / 1000) +
              " s; their status endpoints are kept and the next run follows them");
  }

  void row_failed(const std::string& row_key, const std::string& error) {
    ++outcome_.counts.rejected;
    message("row " + row_key + " failed: " + error);
    if (outcome_.counts.rejected > spec_.max_failures && !stopped_) {
      fail(std::to_string(outcome_.counts.rejected) + " rows failed, more than max_failures (" +
           std::to_string(spec_.max_failures) + "); stopped sending");
    }
  }

  // A row whose request may have been applied: recorded `unknown` and never sent again by a
  // run; a person checks Centercode and resolves it with `ccetl push retry`.
  void row_unknown(const std::string& row_key, const std::string& error) {
    ++outcome_.unknown;
    message("row " + row_key + ": outcome unknown: " + error +
            "; not sent again (check Centercode, then `ccetl push retry --job " + job_.name + " --key ...`)");
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
  RowKeySet seen_;
  int64_t would_send_ = 0;
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
  outcome.push = true;
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
  if (!dry_run && outcome.error.empty() && (outcome.counts.rejected > 0 || outcome.unknown > 0))
    outcome.error = std::to_string(outcome.counts.rejected) + " row(s) failed, " +
                    std::to_string(outcome.unknown) + " row(s) of unknown outcome (see `ccetl push list -c " +
                    config.path + " --job " + job.name + "`)";
  outcome.succeeded = outcome.error.empty();
  if (!dry_run) {
    try {
      record_push_run(config.warehouse.dsn, outcome.run_id, outcome.error, outcome.counts, outcome.unknown,
                      outcome.messages);
    } catch (const Error& e) {
      outcome.succeeded = false;
      outcome.messages.push_back(std::string("could not record the run: ") + e.what());
      if (outcome.error.empty()) outcome.error = std::string("could not record the run: ") + e.what();
    }
  }
  return finish();
}

}  // namespace ccetl
