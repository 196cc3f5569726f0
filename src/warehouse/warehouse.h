// The PostgreSQL side of a run. Everything libpqxx stays behind this header.
//
// A run of one job is one transaction on one table: DDL changes, staging, merge, deletes,
// rejects and the run's final history row all commit together or not at all. Schema changes of
// an existing table are applied at the end, just before the merge, under a short lock_timeout:
// readers of the table and its view never queue behind a lock held while pages download.
//
// What a job's table looks like (schema TableSpec.schema, created if missing):
//   project_key text      fan-out jobs only; first column and first part of the key
//   <one column per field> snake_case ASCII names (warehouse/naming.h), COMMENT = field name;
//                          boolean, bigint, double precision, timestamp (timestamptz when the
//                          job has a time zone), text; widened when a field's type changes
//                          (warehouse/sql_types.h), never narrowed, never dropped
//   _multi_values jsonb   {"<field name>": [values]} for cells with several values, else NULL
//   _synced_at timestamptz when the row was inserted or its content last changed
//   _deleted_at timestamptz keyed jobs with soft deletes: when the row stopped appearing
//   _row_hash uuid        keyed jobs: the content hash of the row as last loaded (row_hash.h);
//                          internal, not in the view or the history table
// Keyed jobs have a PRIMARY KEY on ([project_key,] key columns). Columns follow
// Field::identity() across runs (ccetl.columns), so a renamed question keeps its column.
// The view <table>_v (table part cut to fit 63 bytes) shows the same rows with the original
// field names as column names (cut to 63 bytes, duplicates get " (2)", ...) and the system
// columns under their own names. It is replaced in place when columns are appended, dropped and
// recreated (grants re-applied) when a column is renamed or changes type, but only when no other
// view depends on it. Nothing is ever dropped with CASCADE; a type change that a user's view
// blocks fails the run naming the view. The `ccetl` schema (sql/001_catalog.sql) holds runs,
// rejects, columns and push_log.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace ccetl {

// Where and how one job's rows land.
struct TableSpec {
  std::string job;                      // job name (run history, rejects, catalog)
  std::string schema;                   // target schema, e.g. "centercode"
  std::string table;                    // target table name as configured (sanitised for SQL)
  std::vector<std::string> key_fields;  // Centercode field names; empty = full refresh
  bool project_key_column = false;      // fan-out: leading `project_key text` column, part of the key
  std::string time_zone;                // non-empty: dates become timestamptz read in this zone
  DeleteMode deletes = DeleteMode::Keep;
  double max_delete_ratio = 0.5;
  // Schema changes of an existing table wait at most this long for their lock per attempt
  // (SET LOCAL lock_timeout), `lock_attempts` times, before the run fails (warehouse.lock_timeout).
  std::chrono::milliseconds lock_timeout{5000};
  int lock_attempts = 3;
  // Keep every version of every row in <schema>.<table>_history (keyed jobs only; see
  // warehouse/history_plan.h).
  bool history = false;
};

// A generated column: the catalog row of ccetl.columns.
struct ColumnInfo {
  std::string field_name;   // as Centercode names it (the column comment, the view's name)
  std::string identity;     // Field::identity(): questionId-based when present
  std::string column_name;  // generated snake_case name, <= 63 bytes, unique in the table
  std::string sql_type;     // boolean, bigint, double precision, timestamp[tz], text
};

// What a run would do to the table's shape; `discover` prints it, a run applies it.
struct SchemaPlan {
  bool table_exists = false;
  std::vector<ColumnInfo> columns;  // in the order of the fields given
  std::vector<std::string> ddl;     // statements a run would execute, in order
  std::vector<std::string> notes;   // human-readable: new columns, widened types, vanished fields
  // Reasons a run would be refused (e.g. a user's view depends on a column that must change
  // type). prepare() throws Error(Permanent) naming them; plan() only reports them.
  std::vector<std::string> blockers;
};

// Counts a run reports (summary line, ccetl.runs, metrics).
struct RunCounts {
  int64_t pages = 0;
  int64_t rows_read = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t deleted = 0;
  int64_t rejected = 0;
  int64_t duplicates = 0;  // in-run duplicate keys resolved last-wins
  // Everything recorded in ccetl.runs.messages: RunEnd.messages plus the load's own notes
  // (deletes or a full refresh skipped and why, rejects not stored). Filled by commit().
  std::vector<std::string> messages;
};

// What the read of one project proved. Completeness is judged per project, never from sums
// (docs/warehouse.md, "Complete"): deletes, and a full refresh's replacement, touch a project's
// rows only when its read is complete. The pipeline checks what it saw on the wire (every page
// read, every page's paging equal to page 1's); the loader adds the count check
// (distinct keys staged + key_rejects == total_results), which needs the staged rows.
struct ProjectRead {
  std::string project;         // project_key; empty when the job does not fan out
  std::string incomplete;      // why the read is known incomplete; empty when the pipeline's checks passed
  int64_t total_results = -1;  // page 1's totalResults; -1 when the API announces none (lookups)
  // Distinct rows not staged because a key cell was missing, NULL or empty: a row read twice
  // counts once (the pipeline compares content digests), like a key read twice.
  int64_t key_rejects = 0;
};

// How a run ended, as the loader needs to know it when committing.
struct RunEnd {
  bool complete = true;         // every page was read
  int64_t total_results = -1;   // the API's totalResults; -1 when unknown (CSV, lookups)
  int64_t pages = 0;
  int64_t rows_read = 0;        // rows received, rejected ones included
  std::vector<std::string> messages;  // warnings to record with the run (e.g. totalResults mismatch)
  // One entry per project read (a job without fan-out has one, project ""). Projects skipped
  // (404) are absent: their rows are never touched. Empty: one project "" described by
  // `complete` and `total_results` above.
  std::vector<ProjectRead> projects;
};

// One run's load into one table. Not thread-safe: one thread feeds it.
class TableLoad {
 public:
  virtual ~TableLoad() = default;
  // Plans the table's shape for `fields` and opens the COPY into staging (typed as planned), or,
  // for a table this run creates, applies the DDL and COPYs straight into it. Schema changes of
  // an existing table wait for commit(). Must precede copy_rows. `fields` are in the order the
  // decoder renders columns (see DecodedPage).
  virtual SchemaPlan prepare(const std::vector<Field>& fields) = 0;
  // Whether copy_rows takes lines that start with `_seq` (DecodeOptions::with_seq): true when
  // rows go through staging and a merge; false for the first load of a table this run creates,
  // which goes straight into the table. Fixed when the load begins.
  virtual bool staged() const = 0;
  // Appends DecodedPage::copy_text lines. Throws Error on a database failure.
  virtual void copy_rows(std::string_view copy_text) = 0;
  // Which of the prepared fields the following copy_rows lines carry, as indexes into the
  // `fields` given to prepare, in line order; the other columns are NULL. prepare() selects all
  // fields in order. Fan-out jobs whose projects carry different fields prepare the union and
  // select each project's subset. Throws Error on a database failure or a bad index.
  virtual void use_fields(const std::vector<std::size_t>& field_indexes) = 0;
  // Fan-out: forgets what was staged for `project_key` (its rows, and the rejects of rows
  // numbered `from_seq` and later, which are all that project's), for a project skipped after
  // some of its pages were loaded. The next copy_rows continues with the same fields.
  virtual void discard_project(const std::string& project_key, int64_t from_seq) = 0;
  virtual void add_rejects(const std::vector<Reject>& rejects) = 0;
  // Applies the planned schema changes (bounded lock waits, see TableSpec::lock_timeout), merges,
  // applies deletes (only when `end.complete` and the safety checks pass), writes rejects and
  // the run's history row, and commits. Returns the counts recorded. Throws Error(Transient)
  // naming the table when the lock for a schema change could not be had.
  virtual RunCounts commit(const RunEnd& end) = 0;
  // Rolls everything back. Never throws. The table is exactly as it was.
  virtual void abort() noexcept = 0;
  // Thread-safe, callable while another thread is inside prepare/copy_rows/commit: asks the
  // server to cancel the statement in progress (PQcancel) and stops lock retries, so that a
  // shutdown never waits on the database. The interrupted call throws; then call abort().
  virtual void interrupt() noexcept {}
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;
  // Creates the `ccetl` schema and its tables (runs, rejects, columns, push_log) if missing.
  virtual void ensure_catalog() = 0;
  // Proves the database answers (SELECT 1 on the control connection). Throws Error(Transient).
  virtual void ping() {}
  // Read-only: what a run with these fields would do to the table.
  virtual SchemaPlan plan(const TableSpec& spec, const std::vector<Field>& fields) = 0;
  // Records a `running` row in ccetl.runs (committed at once, so others can see it) and returns
  // the run id. Marks runs of this job left `running` by dead processes as `abandoned`.
  virtual std::string start_run(const std::string& job) = 0;
  // Begins the atomic load of one run.
  virtual std::unique_ptr<TableLoad> begin_load(const TableSpec& spec, const std::string& run_id) = 0;
  // Records a failed run (after TableLoad::abort, or when no load began).
  virtual void fail_run(const std::string& run_id, const std::string& error, const RunCounts& counts) = 0;
  // Session-level advisory lock on this warehouse's control connection, keyed by a stable hash
  // of the job name, so that only one process runs a job at a time. True if acquired (or
  // already held by this instance). Released by unlock_job, or when the connection ends (a
  // lost control connection loses its locks). Implementations without locking always succeed.
  virtual bool try_lock_job(const std::string& job) {
    (void)job;
    return true;
  }
  virtual void unlock_job(const std::string& job) { (void)job; }
};

// Connects with a libpq connection string or URI. Throws Error(Transient) if unreachable.
std::unique_ptr<Warehouse> connect_warehouse(const std::string& dsn);

}  // namespace ccetl
