// PostgreSQL implementation of TableLoad: one connection and one transaction per run; the
// order plan -> stage -> DDL under lock_timeout -> merge is explained in table_load.cpp.
#pragma once

#include <map>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "warehouse/history_plan.h"
#include "warehouse/row_hash.h"
#include "warehouse/row_lookup.h"
#include "warehouse/schema_plan.h"
#include "warehouse/warehouse.h"

namespace ccetl::warehouse {

class CopyIn;

class PgTableLoad final : public TableLoad {
 public:
  // Connects (a connection of its own, so a lost connection can never be silently replaced
  // mid-run) and begins the run's transaction. Throws Error(Transient) if unreachable.
  PgTableLoad(const std::string& dsn, std::string secret, TableSpec spec, std::string run_id);
  ~PgTableLoad() override;

  SchemaPlan prepare(const std::vector<Field>& fields) override;
  bool staged() const override { return !direct_; }
  void copy_rows(std::string_view copy_text) override;
  void use_fields(const std::vector<std::size_t>& field_indexes) override;
  void discard_project(const std::string& project_key, int64_t from_seq) override;
  void add_rejects(const std::vector<Reject>& rejects) override;
  RunCounts commit(const RunEnd& end) override;
  void abort() noexcept override;
  void interrupt() noexcept override;

 private:
  void stage_hashed(std::string_view copy_text);
  void flush_pending();  // stages the held page (after its lookup); REQUIRES an open COPY
  // Ends the open COPY; its errors name the table (and the ServerWatch's verdict, if any).
  void finish_copy();
  // Ends the open COPY (its lines join lines_before_copy_), so that another can start.
  void close_copy();
  // The COPY statement for copy_fields_: into the new table (direct_) or into staging.
  std::string open_copy_sql(const Quoting& q) const;
  void apply_schema_changes();
  void load_direct(const RunEnd& end, RunCounts& counts, std::vector<std::string>& messages);
  bool try_add_primary_key();
  void merge_keyed(const RunEnd& end, RunCounts& counts, std::vector<std::string>& messages);
  void seed_history();
  void catch_up_history(std::vector<std::string>& messages);
  void replace_all(const RunEnd& end, RunCounts& counts, std::vector<std::string>& messages);
  void write_rejects();
  void write_run_row(const RunCounts& counts, const std::vector<std::string>& messages);
  Quoting quoting() const;
  int64_t lines_copied() const;  // over every COPY of the run
  std::map<std::string, int64_t> staged_counts(const std::string& relation);
  std::string what() const;  // "schema.table (job X)" for messages

  std::string dsn_;  // for the short transaction that creates a missing schema
  std::string secret_;
  TableSpec spec_;
  std::string run_id_;
  struct Db;  // the connection and its transaction (libpqxx stays in the .cpp)
  std::unique_ptr<Db> db_;
  std::unique_ptr<CopyIn> copy_;
  TablePlan plan_;
  std::vector<std::size_t> copy_fields_;  // the fields the open COPY carries (use_fields)
  uint64_t hash_seed_ = 0;                // row_hash_seed of copy_fields_ (keyed tables)
  std::string hashed_;                    // a page's lines with their _row_hash appended
  std::vector<HashedLine> lines_;         // the page's lines (reused)
  // The page whose lookup is in flight (row_lookup.h), staged by flush_pending().
  std::string pending_text_;
  std::vector<HashedLine> pending_lines_;
  std::vector<std::size_t> pending_index_;  // the lines sent to the lookup, in order
  std::unique_ptr<RowLookup> lookup_;     // finds unchanged rows while staging (row_lookup.h)
  LineLayout layout_;                     // where a staged line's key columns are
  bool looked_up_all_ = true;             // every staged line went through lookup_
  int64_t lines_before_copy_ = 0;         // lines of the COPYs already finished
  std::optional<HistoryPlan> history_;  // set for `history: true` jobs
  std::vector<Reject> rejects_;
  int64_t rejected_ = 0;
  // The table does not exist yet: this run creates it and COPYs straight into it, with no
  // staging and no merge (see load_direct).
  bool direct_ = false;
  bool prepared_ = false;
  bool finished_ = false;
  std::atomic<bool> interrupted_{false};
  std::mutex cancel_mu_;  // interrupt() against the end of db_
};

// Rejects stored per run; the count in ccetl.runs includes the ones beyond it.
inline constexpr std::size_t kMaxStoredRejects = 100000;

}  // namespace ccetl::warehouse
