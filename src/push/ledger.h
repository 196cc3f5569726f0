// The push ledger, ccetl.push_log: one row per (job, row key), created by the warehouse's
// ensure_catalog. Every write commits at once on the ledger's own connection, so the record
// of an intent survives a crash of the request that follows it.
//
// States: intent (about to send; if found on the next run, the outcome is unknown), sent
// (the API accepted it; a queued operation's status (status_endpoint) or a feedback's
// attachment uploads (ccetl.push_files) are outstanding, and the next run follows them),
// succeeded, failed (refused, never sent, or the operation failed; sent again by the next run),
// unknown (maybe applied, no known outcome; never sent again by a run: a person checks
// Centercode and resolves it with `ccetl push retry`).
//
// Feedback attachments: ccetl.push_files holds one row per file of a created feedback, planned
// in the same transaction that records the feedback as `sent`, then `uploading` before its
// request and `uploaded` / `failed` / `unknown` after it.
#pragma once

#include <map>
#include <memory>
#include <vector>
#include <optional>
#include <string>

namespace ccetl::push {

struct LedgerEntry {
  std::string payload_hash;
  std::string state;
  std::optional<int> http_status;
  std::string created_id;
  std::string created_key;
  std::string status_endpoint;
  std::string final_status;
  int attempts = 0;
  std::string error;
};

// One planned or attempted attachment upload of a created feedback.
struct FileRecord {
  std::string element_key;
  int file_index = 0;  // position within the row's files for this element
  std::string file_name;
  std::string content_hash;
  std::string url;    // the file element's upload URL (absolute, without apiKey); empty: none
  std::string state;  // pending | uploading | uploaded | failed | unknown
  std::string error;
};

// A ledger row as `ccetl push list` shows it.
// One row `mark_applied` changed.
struct AppliedRow {
  std::string row_key;
  std::string state;              // "succeeded", or "sent" while files_outstanding > 0
  int64_t files_outstanding = 0;  // files never started: the next run uploads them
  int64_t files_given_up = 0;     // a named `sent` row's files that will not be uploaded
};

struct ListedEntry {
  std::string row_key;
  LedgerEntry entry;
  std::string last_sent_at;  // ISO 8601 UTC, or ""
  int files_total = 0;
  int files_uploaded = 0;
};

// What a send ended with, as recorded.
struct LedgerResult {
  std::string state;  // sent | succeeded | failed | unknown
  std::optional<int> http_status;
  std::string created_id;
  std::string created_key;
  std::string status_endpoint;
  std::string final_status;
  std::string error;
};

class Ledger {
 public:
  // Connects to `dsn`. `read_only` (dry run): load() only; writes throw. Throws
  // Error(Transient) when the database is unreachable.
  Ledger(const std::string& dsn, std::string job, bool read_only);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Every entry of the job, by row key. A missing push_log table reads as empty in read-only
  // mode (a dry run against a fresh database).
  std::map<std::string, LedgerEntry> load();
  // The entries of `row_keys` only (a batch of the push query), so that memory does not grow
  // with the ledger.
  std::map<std::string, LedgerEntry> load(const std::vector<std::string>& row_keys);
  // Records the intent to send (state intent, attempts + 1, sent times), committed.
  void record_intent(const std::string& row_key, const std::string& payload_hash);
  void record_result(const std::string& row_key, const LedgerResult& result);
  // Marks an entry unknown, keeping what it knew, with `error` explaining why.
  void mark_unknown(const std::string& row_key, const std::string& error);
  // Sets an entry's state and error only (a created feedback after its uploads).
  void set_state(const std::string& row_key, const std::string& state, const std::string& error);

  // A created feedback: records `result` (state sent) and plans its uploads, in one
  // transaction, so that a run stopped from here on resumes the uploads without a second
  // feedback. Files already planned for the row are kept as they are.
  void record_created(const std::string& row_key, const LedgerResult& result, const std::vector<FileRecord>& files);
  // The row's planned files, ordered by element and index.
  std::vector<FileRecord> files(const std::string& row_key);
  // Records one file's state (and error), committed.
  void record_file(const std::string& row_key, const FileRecord& file);

  // `ccetl push retry`: makes unknown and failed rows (only those in `row_keys` when not empty)
  // sendable by the next run. A row whose feedback was created keeps it: it goes back to `sent`
  // and its unknown/failed files to `pending`, so only the uploads are repeated. Others become
  // `failed` with a note. Returns the row keys marked; keys in other states are left alone.
  std::vector<std::string> mark_for_retry(const std::vector<std::string>& row_keys);
  // `ccetl push retry --applied`: a person found the request applied in Centercode. Unknown (and
  // intent) rows, only those in `row_keys` when not empty, are never sent again: their unknown
  // uploads count as uploaded, and they become `succeeded`, or `sent` while files never started
  // remain (the next run uploads those). A `sent` feedback named in `row_keys` becomes
  // `succeeded` and its missing files are given up (`failed`, with the reason). Keys in other
  // states are left alone. Before the catalog exists: nothing to mark.
  std::vector<AppliedRow> mark_applied(const std::vector<std::string>& row_keys);
  // `ccetl push list`: the job's rows, optionally only those in `state`, ordered by row key.
  std::vector<ListedEntry> list(const std::string& state);

 private:
  std::map<std::string, LedgerEntry> load_where(bool by_keys, const std::vector<std::string>& row_keys);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string job_;
  bool read_only_;
};

}  // namespace ccetl::push
