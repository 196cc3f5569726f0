// The load of one run, in this order (the order is the point of this file):
//   plan     read the table's state and plan its shape (no lock on the table)
//   stage    COPY rows into a TEMP staging table typed as planned, while pages download; each
//            row of a keyed table carries its _row_hash, and in a resync a row already live in
//            the table with that key and hash (looked up per page on a second connection,
//            row_lookup.h) is staged as a narrow marker instead of in full
//   DDL      ADD COLUMN / widening / view re-creation / unique index, at commit, each attempt in
//            a savepoint under SET LOCAL lock_timeout, retried a few times (apply_schema_changes);
//            the view's lock is taken before the table's, in the order readers of the view take
//            them, so the change never deadlocks with them (the same for a history table and
//            its view, after the table's)
//   merge    upsert or replace from staging, deletes, history catch-up, rejects, run row, COMMIT
// Why: an ALTER takes an ACCESS EXCLUSIVE lock that is held until commit, and every reader of the
// table and its view queues behind it, also while the ALTER itself waits for a long BI query.
// Taken at the first page it was held for the whole download (minutes); now it is held only for
// the merge, and a wait for it never exceeds lock_timeout per attempt, so readers never wait
// longer than that for a lock that is not yet granted. A run that cannot get it fails with a
// message naming the table (Transient: the next run tries again); nothing was changed.
// A table this run creates is invisible to others until commit: its DDL runs at prepare, and
// rows go straight into it (load_direct).
#include "warehouse/table_load.h"

#include <libpq-fe.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <thread>

#include "core/error.h"
#include "core/redact.h"
#include "warehouse/completeness.h"
#include "warehouse/copy_in.h"
#include "warehouse/db_error.h"
#include "warehouse/history_catch_up.h"
#include "warehouse/history_sql.h"
#include "warehouse/merge_sql.h"
#include "warehouse/naming.h"
#include "warehouse/row_hash.h"
#include "warehouse/row_lookup.h"
#include "warehouse/server_watch.h"
#include "warehouse/watched_connection.h"
#include "warehouse/sql_types.h"
#include "warehouse/table_state.h"

namespace ccetl::warehouse {
namespace {

std::string first_line(const std::string& sql) { return sql.substr(0, sql.find('\n')); }

// Whether the schema change takes an ACCESS EXCLUSIVE lock on the table or its view (ADD COLUMN,
// ALTER TYPE, view changes). A unique index (SHARE) and comments alone do not block readers.
bool takes_exclusive_lock(const std::vector<std::string>& ddl) {
  for (const auto& sql : ddl)
    if (sql.rfind("ALTER TABLE", 0) == 0 || sql.rfind("DROP VIEW", 0) == 0 ||
        (sql.rfind("CREATE", 0) == 0 && sql.find(" VIEW ") != std::string::npos))
      return true;
  return false;
}

// A statement on one line, cut to a readable length, for error messages.
std::string statement_summary(const std::string& sql) {
  std::string out;
  for (char c : sql) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (c != ' ' || (!out.empty() && out.back() != ' ')) {
      out += c;
    }
  }
  return out.size() > 160 ? out.substr(0, 157) + "..." : out;
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

// libpqxx 6.4 exposes the transaction's PGconn* only to largeobject and its subclasses.
struct RawConnection : pqxx::largeobject {
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

// Creates `schema` in a short transaction of its own, before the run's transaction needs it.
// Why not in the run's transaction: two first runs of jobs writing to the same new schema would
// both CREATE it; the second waits on the first's uncommitted catalog row for the whole of that
// run and then fails with a duplicate key. Serialised by an advisory lock per schema name, the
// second waits only for the first's CREATE and then finds the schema there. A run that fails
// later leaves the empty schema behind, which the next run uses.
void create_schema_alone(const std::string& dsn, const std::string& schema) {
  WatchedConnection c(dsn);
  auto busy = c.watch->busy();
  try {
    pqxx::work tx(c.conn, "ccetl_schema");
    tx.exec("SET LOCAL lock_timeout = '30s'");
    tx.exec("SELECT pg_advisory_xact_lock(" +
            std::to_string(static_cast<int64_t>(fnv1a64("ccetl.schema:" + schema))) + ")");
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
    tx.commit();
  } catch (...) {
    rethrow_db_error("creating schema " + schema, "");  // inside `busy`: with the watch's verdict
  }
}

}  // namespace

struct PgTableLoad::Db {
  explicit Db(const std::string& dsn) : conn(dsn) {
    no_silent_reconnect(conn);
    watch = watch_for(conn, dsn);
    auto busy = watch->busy();  // BEGIN is a wait too
    try {
      tx = std::make_unique<pqxx::work>(conn, "ccetl_run");
    } catch (...) {
      rethrow_db_error("beginning the run's transaction", "");  // with the watch's verdict
    }
    watch->set_cancel(RawConnection::of(*tx));
  }
  pqxx::connection conn;
  // Bounds every wait on `conn` and sends interrupt()'s cancel request (server_watch.h).
  // Before tx: destroyed after it and before conn closes its socket.
  std::unique_ptr<ServerWatch> watch;
  std::unique_ptr<pqxx::work> tx;
};

PgTableLoad::PgTableLoad(const std::string& dsn, std::string secret, TableSpec spec,
                         std::string run_id)
    : dsn_(dsn), secret_(std::move(secret)), spec_(std::move(spec)), run_id_(std::move(run_id)) {
  try {
    db_ = std::make_unique<Db>(dsn);
  } catch (...) {
    rethrow_db_error("connecting to load " + spec_.schema + "." + spec_.table, secret_);
  }
  auto busy = db_->watch->busy();
  try {
    direct_ = db_->tx
                  ->exec_params(
                      "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
                      "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                      spec_.schema, spec_.table)
                  .empty();
  } catch (...) {
    rethrow_db_error("connecting to load " + spec_.schema + "." + spec_.table, secret_);
  }
}

PgTableLoad::~PgTableLoad() { abort(); }

Quoting PgTableLoad::quoting() const {
  pqxx::dbtransaction* tx = db_->tx.get();
  return {[tx](const std::string& s) { return tx->quote_name(s); },
          [tx](const std::string& s) { return tx->quote(s); }};
}

std::string PgTableLoad::what() const {
  return spec_.schema + "." + spec_.table + " (job " + spec_.job + ")";
}

SchemaPlan PgTableLoad::prepare(const std::vector<Field>& fields) {
  if (!db_ || prepared_)
    throw Error(ErrorKind::Permanent, "prepare called twice or after the end of the run");
  auto busy = db_->watch->busy();
  if (!spec_.time_zone.empty()) {
    try {
      db_->tx->exec("SET LOCAL TimeZone = " + db_->tx->quote(spec_.time_zone));
    } catch (const pqxx::sql_error&) {
      throw Error(ErrorKind::Config, "time zone '" + spec_.time_zone + "' of job " + spec_.job +
                                         " is not known to PostgreSQL");
    } catch (...) {
      rethrow_db_error("setting the time zone for " + what(), secret_);
    }
  }
  std::string step = "reading the current shape of " + what();
  try {
    db_->tx->exec(kExactFloatText);
    ExistingTable state = read_existing(*db_->tx, spec_.schema, spec_.table);
    if (!state.schema_exists) {
      step = "creating schema " + spec_.schema + " for " + what();
      create_schema_alone(dsn_, spec_.schema);
      state.schema_exists = true;
      step = "reading the current shape of " + what();
    }
    if (direct_ && state.exists)
      throw Error(ErrorKind::Transient, what() + " was created by someone else during this run");
    plan_ = make_plan(spec_, fields, state, quoting());
    if (spec_.history)
      history_ = plan_history(
          spec_, plan_, read_existing(*db_->tx, spec_.schema, history_table_name(spec_.table)),
          quoting());
    if (!plan_.schema.blockers.empty())
      throw Error(ErrorKind::Permanent,
                  "cannot change " + what() + ": " + joined(plan_.schema.blockers, "; "));
    // Before this run records its columns (history_kept_sql reads ccetl.columns' jobs).
    if (history_ && !history_->seed) {
      step = "checking whether the last run of " + what() + " kept its history";
      history_->catch_up = !db_->tx->exec1(history_kept_sql(spec_, quoting()))[0].as<bool>();
    }
    // A new table is seen by nobody before commit: shape it now. An existing table's changes
    // wait for commit() (see the top of this file).
    if (direct_)
      for (const auto& sql : plan_.schema.ddl) {
        if (sql == plan_.primary_key_ddl) continue;  // built after the rows are in
        step = "changing " + what() + " (" + first_line(sql) + ")";
        db_->tx->exec(sql);
      }
    step = "recording the columns of " + what() + " in ccetl.columns";
    if (!plan_.schema.columns.empty()) {
      std::string sql =
          "INSERT INTO ccetl.columns (job, schema_name, table_name, identity, field_name, "
          "column_name, sql_type) VALUES ";
      bool first = true;
      for (const auto& c : plan_.schema.columns) {
        sql += std::string(first ? "" : ", ") + "(" + db_->tx->quote(spec_.job) + ", " +
               db_->tx->quote(spec_.schema) + ", " + db_->tx->quote(spec_.table) + ", " +
               db_->tx->quote(sanitize_utf8(c.identity)) + ", " +
               db_->tx->quote(sanitize_utf8(c.field_name)) + ", " + db_->tx->quote(c.column_name) +
               ", " + db_->tx->quote(c.sql_type) + ")";
        first = false;
      }
      sql +=
          " ON CONFLICT (schema_name, table_name, identity) DO UPDATE SET job = EXCLUDED.job, "
          "field_name = EXCLUDED.field_name, column_name = EXCLUDED.column_name, "
          "sql_type = EXCLUDED.sql_type, last_seen = now()";
      db_->tx->exec(sql);
    }
    Quoting q = quoting();
    copy_fields_ = all_fields(plan_);
    hash_seed_ = row_hash_seed(plan_, copy_fields_, spec_.time_zone);
    // The merge's statements read each row once; JIT compiling them (when the server has it on)
    // costs more than it saves at these sizes.
    db_->tx->exec("SET LOCAL jit = off");
    if (direct_) {
      step = "starting COPY into " + what();
      copy_ = std::make_unique<CopyIn>(*db_->tx, direct_copy_sql(plan_, q, copy_fields_));
    } else {
      // Unchanged rows are found while staging (row_lookup.h) when the table has its hashes,
      // has rows, and keeps its shape in this run (a change of columns or types changes every
      // hash anyway, and a key column about to change type cannot be probed as planned).
      if (!plan_.key_columns.empty() && plan_.schema.ddl.empty() &&
          std::any_of(state.columns.begin(), state.columns.end(),
                      [](const ExistingColumn& c) { return c.name == kRowHash; }) &&
          !db_->tx->exec("SELECT 1 FROM " + plan_.qualified_table + " LIMIT 1").empty()) {
        try {
          lookup_ = std::make_unique<RowLookup>(dsn_, plan_, spec_.time_zone, &interrupted_);
          layout_ = staged_layout(plan_, copy_fields_);
        } catch (const std::exception&) {
          lookup_.reset();  // only an optimisation: every row is staged in full
        }
      }
      step = "creating the staging table for " + what();
      db_->tx->exec(staging_ddl(plan_, q));
      step = "starting COPY into staging for " + what();
      copy_ = std::make_unique<CopyIn>(*db_->tx, copy_sql(plan_, q, copy_fields_));
    }
  } catch (...) {
    rethrow_db_error(step, secret_);
  }
  prepared_ = true;
  return plan_.schema;
}

void PgTableLoad::copy_rows(std::string_view copy_text) {
  if (!copy_ || !copy_->open())
    throw Error(ErrorKind::Permanent, "copy_rows outside an open load of " + what());
  auto busy = db_->watch->busy();
  try {
    if (plan_.key_columns.empty()) {
      copy_->put(copy_text);
    } else {
      stage_hashed(copy_text);
    }
  } catch (...) {
    rethrow_db_error("loading rows into " + what(), secret_);
  }
}

// Each line gets its _row_hash (and, staged, `_same`). With a lookup, a page is held until the
// next call (or the end of the COPY): its lookup runs meanwhile, and the lines whose key and hash
// are already live in the table are then staged as markers.
void PgTableLoad::stage_hashed(std::string_view copy_text) {
  // The held page first; that may give up the lookup (it failed): then this page goes in full.
  flush_pending();
  hashed_.clear();
  if (direct_ || !lookup_) {
    hash_lines(copy_text, !direct_, hash_seed_, lines_);
    if (!direct_) looked_up_all_ = false;
    for (const auto& l : lines_) append_hashed_line(copy_text, l, direct_ ? "" : "\tf", hashed_);
    copy_->put(hashed_);
    return;
  }
  pending_text_.assign(copy_text);
  hash_lines(pending_text_, true, hash_seed_, pending_lines_);
  pending_index_.clear();
  std::vector<std::vector<std::string>> keys;
  std::vector<std::string> hashes;
  keys.reserve(pending_lines_.size());
  hashes.reserve(pending_lines_.size());
  for (std::size_t i = 0; i < pending_lines_.size(); ++i) {
    const HashedLine& l = pending_lines_[i];
    auto k = line_keys(std::string_view(pending_text_).substr(l.begin, l.size), layout_);
    if (k.size() != layout_.key_columns.size() || k.empty()) continue;
    keys.push_back(std::move(k));
    hashes.emplace_back(l.hex, 32);
    pending_index_.push_back(i);
  }
  if (pending_index_.size() != pending_lines_.size()) looked_up_all_ = false;
  if (keys.empty()) return;  // nothing to look up: flush_pending stages the lines in full
  try {
    lookup_->send(keys, hashes);
  } catch (const Error&) {
    lookup_.reset();  // only an optimisation: this page and the rest are staged in full
    looked_up_all_ = false;
  }
}

void PgTableLoad::flush_pending() {
  if (pending_lines_.empty()) return;
  std::vector<bool> same(pending_lines_.size(), false);
  if (lookup_ && lookup_->in_flight()) {  // else nothing of this page was sent
    try {
      auto found = lookup_->receive();
      for (std::size_t j = 0; j < found.size() && j < pending_index_.size(); ++j)
        if (found[j]) same[pending_index_[j]] = true;
    } catch (const Error&) {
      lookup_.reset();
      looked_up_all_ = false;
    }
  } else {
    looked_up_all_ = false;
  }
  hashed_.clear();
  for (std::size_t i = 0; i < pending_lines_.size(); ++i) {
    if (same[i])
      append_marker_line(pending_text_, pending_lines_[i], layout_, hashed_);
    else
      append_hashed_line(pending_text_, pending_lines_[i], "\tf", hashed_);
  }
  pending_lines_.clear();
  copy_->put(hashed_);
}

void PgTableLoad::use_fields(const std::vector<std::size_t>& field_indexes) {
  if (!copy_ || !copy_->open())
    throw Error(ErrorKind::Permanent, "use_fields outside an open load of " + what());
  auto busy = db_->watch->busy();
  if (field_indexes == copy_fields_) return;
  for (std::size_t i : field_indexes)
    if (i >= plan_.schema.columns.size())
      throw Error(ErrorKind::Permanent, "use_fields: field " + std::to_string(i) +
                                            " was not prepared for " + what());
  close_copy();
  try {
    Quoting q = quoting();
    copy_fields_ = field_indexes;
    hash_seed_ = row_hash_seed(plan_, copy_fields_, spec_.time_zone);
    layout_ = staged_layout(plan_, copy_fields_);
    copy_ = std::make_unique<CopyIn>(*db_->tx, open_copy_sql(q));
  } catch (...) {
    rethrow_db_error("starting COPY into " + what(), secret_);
  }
}

void PgTableLoad::discard_project(const std::string& project_key, int64_t from_seq) {
  if (!copy_ || !copy_->open() || !plan_.fan_out)
    throw Error(ErrorKind::Permanent, "discard_project outside an open fan-out load of " + what());
  auto busy = db_->watch->busy();
  close_copy();
  try {
    Quoting q = quoting();
    const std::string relation = direct_ ? plan_.qualified_table : std::string(kStaging);
    lines_before_copy_ -= static_cast<int64_t>(
        db_->tx
            ->exec("DELETE FROM " + relation + " t WHERE true" +
                   project_scope(plan_, q, {project_key}, "t"))
            .affected_rows());
    copy_ = std::make_unique<CopyIn>(*db_->tx, open_copy_sql(q));
  } catch (...) {
    rethrow_db_error("discarding the rows of project " + project_key + " from " + what(), secret_);
  }
  const auto kept = std::remove_if(rejects_.begin(), rejects_.end(),
                                   [&](const Reject& r) { return r.row_seq >= from_seq; });
  rejected_ -= static_cast<int64_t>(rejects_.end() - kept);
  rejects_.erase(kept, rejects_.end());
}

void PgTableLoad::finish_copy() {
  try {
    flush_pending();
    copy_->finish();
  } catch (const Error& e) {
    // A connection the ServerWatch shut down: its verdict is the reason, not "connection lost".
    const auto verdict = ServerWatch::current_verdict();
    throw Error(verdict ? ErrorKind::Transient : e.kind(),
                redact("loading rows into " + what() + ": " + (verdict ? *verdict : e.what()), secret_));
  }
}

void PgTableLoad::close_copy() {
  finish_copy();
  lines_before_copy_ += copy_->lines();
  copy_.reset();
}

std::string PgTableLoad::open_copy_sql(const Quoting& q) const {
  return direct_ ? direct_copy_sql(plan_, q, copy_fields_) : copy_sql(plan_, q, copy_fields_);
}

int64_t PgTableLoad::lines_copied() const {
  return lines_before_copy_ + (copy_ ? copy_->lines() : 0);
}

std::map<std::string, int64_t> PgTableLoad::staged_counts(const std::string& relation) {
  std::map<std::string, int64_t> out;
  for (const auto& row : db_->tx->exec(staged_counts_sql(plan_, quoting(), relation)))
    out[row[0].c_str()] = row[1].as<int64_t>();
  return out;
}

void PgTableLoad::add_rejects(const std::vector<Reject>& rejects) {
  rejected_ += static_cast<int64_t>(rejects.size());
  for (const auto& r : rejects)
    if (rejects_.size() < kMaxStoredRejects) rejects_.push_back(r);
}

RunCounts PgTableLoad::commit(const RunEnd& end) {
  if (!prepared_ || finished_ || !copy_)
    throw Error(ErrorKind::Permanent, "commit without a prepared load of " + what());
  std::optional<ServerWatch::Busy> busy;  // ends before db_ (and its watch) is released below
  busy.emplace(*db_->watch);
  RunCounts counts;
  counts.pages = end.pages;
  counts.rows_read = end.rows_read;
  counts.rejected = rejected_;
  std::vector<std::string> messages = end.messages;
  if (rejected_ > static_cast<int64_t>(rejects_.size()))
    messages.push_back(std::to_string(rejected_ - static_cast<int64_t>(rejects_.size())) +
                       " rejects beyond the first " + std::to_string(kMaxStoredRejects) +
                       " were counted but not stored");
  finish_copy();
  if (!direct_) apply_schema_changes();
  std::string step = "merging rows into " + what();
  try {
    if (direct_) {
      load_direct(end, counts, messages);
      seed_history();
    } else if (!plan_.key_columns.empty()) {
      seed_history();
      merge_keyed(end, counts, messages);
      step = "catching up the history of " + what();
      catch_up_history(messages);
    } else
      replace_all(end, counts, messages);
    step = "recording rejects of " + what();
    write_rejects();
    step = "recording the run of " + what();
    write_run_row(counts, messages);
    counts.messages = messages;
    step = "committing the run of " + what();
    db_->tx->commit();
  } catch (...) {
    rethrow_db_error(step, secret_);
  }
  finished_ = true;
  busy.reset();
  {
    std::lock_guard lock(cancel_mu_);
    db_.reset();
  }
  return counts;
}

// The rows are already in the new table. A keyed table gets its primary key now (one index
// build instead of a probe per row); duplicate keys make that fail, and are then removed, the
// last one read winning as in a merge. Nothing existed before, so nothing is deleted. A full
// refresh keeps only the rows of projects proven complete, as a staged run would.
void PgTableLoad::load_direct(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  const int64_t lines = lines_copied();
  if (!plan_.key_columns.empty()) {
    int64_t removed = 0;
    if (!try_add_primary_key()) {
      removed = static_cast<int64_t>(
          db_->tx->exec(direct_dedupe_sql(plan_, quoting())).affected_rows());
      db_->tx->exec(plan_.primary_key_ddl);
    }
    counts.inserted = lines - removed;
    counts.duplicates = removed;
    return;
  }
  CompleteScope scope = judge_completeness(
      end,
      plan_.fan_out ? staged_counts(plan_.qualified_table)
                    : std::map<std::string, int64_t>{{"", lines}},
      false, "full refresh", messages);
  if (scope.incomplete.empty()) {
    counts.inserted = lines;
    return;
  }
  if (!plan_.fan_out || scope.complete.empty()) {
    db_->tx->exec("TRUNCATE " + plan_.qualified_table);
    return;
  }
  const auto dropped = static_cast<int64_t>(
      db_->tx
          ->exec(replace_delete_sql(plan_, project_scope(plan_, quoting(), scope.incomplete, "t")))
          .affected_rows());
  counts.inserted = lines - dropped;
}

bool PgTableLoad::try_add_primary_key() {
  try {
    pqxx::subtransaction sub(*db_->tx, "ccetl_primary_key");
    sub.exec(plan_.primary_key_ddl);
    sub.commit();
    return true;
  } catch (const pqxx::unique_violation&) {
    return false;  // the subtransaction rolled back; the run's transaction goes on
  }
}

// A history table this run created (or whose table it created) starts with the table's live
// rows as current versions.
void PgTableLoad::seed_history() {
  if (!history_ || !history_->seed) return;
  if (history_->close_current) db_->tx->exec(history_close_current_sql(*history_));
  db_->tx->exec(history_seed_sql(plan_, *history_, quoting()));
}

// After runs that did not keep the history (history_catch_up.h): its current versions are made
// to match the table's live rows, at T, after this run's merge and deletes have versioned theirs.
void PgTableLoad::catch_up_history(std::vector<std::string>& messages) {
  if (!history_ || !history_->catch_up) return;
  Quoting q = quoting();
  const auto closed = db_->tx->exec(history_catch_up_close_sql(plan_, *history_, q)).affected_rows();
  const auto opened = db_->tx->exec(history_catch_up_open_sql(plan_, *history_, q)).affected_rows();
  messages.push_back("history of " + spec_.schema + "." + spec_.table +
                     " caught up with the table (the last successful run did not keep it): " +
                     std::to_string(closed) + " versions closed, " + std::to_string(opened) +
                     " opened");
}

void PgTableLoad::merge_keyed(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  Quoting q = quoting();
  // No ANALYZE of staging: without statistics the planner sizes it from its pages, which is
  // all the merge's hash joins need (measured: the same plans, 0.2-0.4 s less per 300k rows).
  MergeShape shape;
  shape.target_empty = db_->tx->exec("SELECT 1 FROM " + plan_.qualified_table + " LIMIT 1").empty();
  shape.staged_rows = lines_copied();
  shape.dedupe = !db_->tx->exec(duplicate_keys_sql(plan_, q)).empty();
  shape.prefilter = !(looked_up_all_ && lookup_);
  lookup_.reset();  // its connection is not needed any more
  const bool empty = shape.target_empty;
  auto row = db_->tx->exec1(history_ ? history_upsert_sql(plan_, *history_, q, shape)
                                     : upsert_sql(plan_, q, shape));
  int64_t distinct = row[0].as<int64_t>();
  counts.inserted = row[1].as<int64_t>();
  counts.updated = row[2].as<int64_t>();
  counts.unchanged = distinct - counts.inserted - counts.updated;
  counts.duplicates = lines_copied() - distinct;

  if (spec_.deletes == DeleteMode::Keep) return;
  const bool soft = spec_.deletes == DeleteMode::Soft;
  // Without fan-out the merge's distinct count is the one the completeness check needs.
  std::map<std::string, int64_t> staged;
  if (!plan_.fan_out)
    staged[""] = distinct;
  else if (needs_staged_counts(end))
    staged = staged_counts(kStaging);
  CompleteScope scope = judge_completeness(end, staged, true, "deletes", messages);
  // Deletes touch only the rows of projects proven complete. A target that was empty before
  // this run holds only staged rows: none can be absent, so the anti join over the whole table
  // (seconds per million rows) is skipped.
  if (scope.complete.empty() || empty) return;
  const std::string where = project_scope(plan_, q, scope.complete, "t");
  int64_t live = 0, absent = 0;
  if (!plan_.fan_out) {
    // Every staged key is live in the target now: the absent rows are the rest.
    live = db_->tx->exec1(live_count_sql(plan_, soft))[0].as<int64_t>();
    absent = live - distinct;
  } else {
    auto c = db_->tx->exec1(delete_counts_sql(plan_, q, soft, where));
    live = c[0].as<int64_t>();
    absent = c[1].as<int64_t>();
  }
  if (absent == 0) return;
  if (static_cast<double>(absent) > spec_.max_delete_ratio * static_cast<double>(live)) {
    messages.push_back("deletes skipped: " + std::to_string(absent) + " of " +
                       std::to_string(live) +
                       " live rows are missing from this run, more than "
                       "max_delete_ratio " +
                       std::to_string(spec_.max_delete_ratio));
    return;
  }
  if (history_)
    counts.deleted = db_->tx->exec1(history_delete_sql(plan_, *history_, q, soft, where))[0].as<int64_t>();
  else
    counts.deleted = static_cast<int64_t>(db_->tx->exec(delete_sql(plan_, q, soft, where)).affected_rows());
}

// A full refresh replaces the rows of the projects proven complete (all rows, without fan-out);
// an incomplete project keeps its rows and its new snapshot is discarded.
void PgTableLoad::replace_all(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  std::map<std::string, int64_t> staged;
  if (!plan_.fan_out)
    staged[""] = lines_copied();
  else if (needs_staged_counts(end))
    staged = staged_counts(kStaging);
  CompleteScope scope = judge_completeness(end, staged, false, "full refresh", messages);
  if (scope.complete.empty() || (!plan_.fan_out && !scope.incomplete.empty())) return;
  const std::string where = project_scope(plan_, quoting(), scope.complete, "t");
  int64_t old_rows = db_->tx->exec1(count_sql(plan_, where))[0].as<int64_t>();
  int64_t new_rows = db_->tx->exec1(staged_count_sql(where))[0].as<int64_t>();
  if (old_rows > 0 && static_cast<double>(old_rows - new_rows) >
                          spec_.max_delete_ratio * static_cast<double>(old_rows)) {
    messages.push_back("full refresh skipped: the new snapshot has " + std::to_string(new_rows) +
                       " rows against " + std::to_string(old_rows) +
                       ", a shrink beyond max_delete_ratio " +
                       std::to_string(spec_.max_delete_ratio));
    return;
  }
  // DELETE + INSERT in one transaction: readers see the old or the new snapshot, never empty
  // (TRUNCATE would take an exclusive lock and is not MVCC-safe for concurrent readers).
  counts.deleted =
      static_cast<int64_t>(db_->tx->exec(replace_delete_sql(plan_, where)).affected_rows());
  counts.inserted = static_cast<int64_t>(
      db_->tx->exec(replace_insert_sql(plan_, quoting(), where)).affected_rows());
}

void PgTableLoad::write_rejects() {
  constexpr std::size_t kBatch = 500;
  for (std::size_t i = 0; i < rejects_.size(); i += kBatch) {
    std::string sql =
        "INSERT INTO ccetl.rejects (run_id, job, page, row_seq, field, raw_value, reason) VALUES ";
    for (std::size_t k = i; k < std::min(rejects_.size(), i + kBatch); ++k) {
      const Reject& r = rejects_[k];
      sql += std::string(k == i ? "" : ", ") + "(" + db_->tx->quote(run_id_) + "::uuid, " +
             db_->tx->quote(spec_.job) + ", " + std::to_string(r.page) + ", " +
             std::to_string(r.row_seq) + ", " + db_->tx->quote(sanitize_utf8(r.field)) + ", " +
             db_->tx->quote(sanitize_utf8(r.raw_value)) + ", " +
             db_->tx->quote(sanitize_utf8(r.reason)) + ")";
    }
    db_->tx->exec(sql);
  }
}

void PgTableLoad::write_run_row(const RunCounts& c, const std::vector<std::string>& messages) {
  db_->tx->exec_params(
      "UPDATE ccetl.runs SET status = 'succeeded', finished_at = now(), pages = $2, "
      "rows_read = $3, inserted = $4, updated = $5, unchanged = $6, deleted = $7, rejected = $8, "
      "duplicates = $9, messages = NULLIF($10, ''), history = $11 WHERE run_id = $1::uuid",
      run_id_, c.pages, c.rows_read, c.inserted, c.updated, c.unchanged, c.deleted, c.rejected,
      c.duplicates, messages.empty() ? std::string() : sanitize_utf8(joined(messages, "\n")),
      history_.has_value());
}

// Each attempt runs all statements in a savepoint under SET LOCAL lock_timeout; a lock that is
// not granted in time (SQLSTATE 55P03) rolls the savepoint back, which releases every lock the
// attempt took, so readers run freely during the pause before the next attempt.
void PgTableLoad::apply_schema_changes() {
  if (plan_.schema.ddl.empty()) return;
  const auto ms = std::to_string(spec_.lock_timeout.count());
  std::string step = "preparing the schema change of " + what();
  std::string previous;
  try {
    previous = db_->tx->exec1("SELECT current_setting('lock_timeout')")[0].as<std::string>();
    db_->tx->exec("SET LOCAL lock_timeout = " + ms);
  } catch (...) {
    rethrow_db_error(step, secret_);
  }
  const int attempts = std::max(1, spec_.lock_attempts);
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::subtransaction sub(*db_->tx, "ccetl_schema_change");
      // Readers of a view lock the view, then its table. Taking ours in that order too (a
      // view's LOCK also locks its tables), for the table and then for its history table, means
      // an ALTER TABLE followed by a view change can never deadlock with them.
      const auto& ddl = plan_.schema.ddl;
      const std::size_t history_begin = history_ ? history_->ddl_begin : ddl.size();
      const std::vector<std::string> table_ddl(ddl.begin(), ddl.begin() + history_begin);
      const std::vector<std::string> history_ddl(ddl.begin() + history_begin, ddl.end());
      auto lock = [&](const std::string& name, const char* relkind) {
        if (!sub.exec_params("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                             "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
                             "AND c.relkind = $3",
                             spec_.schema, name, std::string(relkind))
                 .empty())
          sub.exec("LOCK TABLE " + sub.quote_name(spec_.schema) + "." + sub.quote_name(name) +
                   " IN ACCESS EXCLUSIVE MODE");
      };
      if (takes_exclusive_lock(table_ddl)) {
        step = "locking " + what() + " and its view for the schema change";
        lock(view_name(spec_.table), "v");
        sub.exec("LOCK TABLE " + plan_.qualified_table + " IN ACCESS EXCLUSIVE MODE");
      }
      if (takes_exclusive_lock(history_ddl)) {
        step = "locking the history table of " + what() + " and its view for the schema change";
        lock(view_name(history_table_name(spec_.table)), "v");
        lock(history_table_name(spec_.table), "r");  // not yet there when this run creates it
      }
      for (const auto& sql : plan_.schema.ddl) {
        step = "changing " + what() + " (" + statement_summary(sql) + ")";
        sub.exec(sql);
      }
      sub.commit();
      break;
    } catch (const pqxx::sql_error& e) {
      // 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: both mean "not now".
      if ((e.sqlstate() != "55P03" && e.sqlstate() != "40P01") || interrupted_) rethrow_db_error(step, secret_);
      if (attempt >= attempts) {
        const auto& ddl = plan_.schema.ddl;
        throw Error(ErrorKind::Transient,
                    "changing " + what() + " (" + statement_summary(ddl.front()) +
                        (ddl.size() > 1 ? " and " + std::to_string(ddl.size() - 1) + " more" : "") +
                        "): could not get the lock within warehouse.lock_timeout (" + ms + " ms) in " +
                        std::to_string(attempts) +
                        " attempts; another session holds a lock on the table or its view (a long query "
                        "or open transaction: see pg_stat_activity and pg_locks). Nothing was changed; "
                        "the next run tries again");
      }
    } catch (...) {
      rethrow_db_error(step, secret_);
    }
    // The lock was not had: pause (readers proceed), then try again.
    for (int i = 0; i < 10 * attempt && !interrupted_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (interrupted_) throw Error(ErrorKind::Transient, step + ": cancelled");
  }
  try {
    // Later statements (the merge) keep the session's own lock_timeout.
    db_->tx->exec("SET LOCAL lock_timeout = " + db_->tx->quote(previous));
  } catch (...) {
    rethrow_db_error("restoring lock_timeout for " + what(), secret_);
  }
}

void PgTableLoad::interrupt() noexcept {
  interrupted_ = true;
  std::lock_guard lock(cancel_mu_);
  if (db_ && db_->watch) db_->watch->interrupt();
}

void PgTableLoad::abort() noexcept {
  finished_ = true;
  lookup_.reset();
  try {
    if (copy_ && copy_->open()) {
      auto busy = db_->watch->busy();
      copy_->cancel();
    }
  } catch (...) {
  }
  copy_.reset();
  if (!db_) return;
  try {
    auto busy = db_->watch->busy();  // a ROLLBACK to a silent server is bounded too
    if (db_->tx) db_->tx->abort();
  } catch (...) {
  }
  std::lock_guard lock(cancel_mu_);  // interrupt() uses the watch
  try {
    db_->tx.reset();
    db_->watch.reset();  // stops before the socket closes
    db_->conn.disconnect();
  } catch (...) {
  }
  db_.reset();
}

}  // namespace ccetl::warehouse
