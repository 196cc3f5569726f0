// The push ledger, ccetl.push_log: one row per (job, row key), created by the warehouse's
// ensure_catalog. Every write commits at once on the ledger's own connection, so the record
// of an intent survives a crash of the request that follows it.
//
// States: intent (about to send; if found on the next run, the outcome is unknown), sent
// (the API accepted it; an asynchronous status or an attachment upload may be outstanding),
// succeeded, failed (refused or the operation failed; retried on the next run), unknown
// (sent or maybe sent with no known outcome; the user resolves it, e.g. by deleting the row).
#pragma once

#include <map>
#include <memory>
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
  // Records the intent to send (state intent, attempts + 1, sent times), committed.
  void record_intent(const std::string& row_key, const std::string& payload_hash);
  void record_result(const std::string& row_key, const LedgerResult& result);
  // Marks an entry unknown, keeping what it knew, with `error` explaining why.
  void mark_unknown(const std::string& row_key, const std::string& error);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string job_;
  bool read_only_;
};

}  // namespace ccetl::push
