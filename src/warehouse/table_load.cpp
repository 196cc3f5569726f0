#include "warehouse/table_load.h"

#include <libpq-fe.h>

#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/copy_in.h"
#include "warehouse/db_error.h"
#include "warehouse/history_sql.h"
#include "warehouse/merge_sql.h"
#include "warehouse/naming.h"
#include "warehouse/table_state.h"

namespace ccetl::warehouse {
namespace {

std::string first_line(const std::string& sql) { return sql.substr(0, sql.find('\n')); }

std::string joined(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

struct PgTableLoad::Db {
  explicit Db(const std::string& dsn)
      : conn(dsn), tx(std::make_unique<pqxx::work>(conn, "ccetl_run")) {}
  pqxx::connection conn;
  std::unique_ptr<pqxx::work> tx;
};

PgTableLoad::PgTableLoad(const std::string& dsn, std::string secret, TableSpec spec,
                         std::string run_id)
    : secret_(std::move(secret)), spec_(std::move(spec)), run_id_(std::move(run_id)) {
  try {
    db_ = std::make_unique<Db>(dsn);
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
    ExistingTable state = read_existing(*db_->tx, spec_.schema, spec_.table);
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
    for (const auto& sql : plan_.schema.ddl) {
      if (direct_ && sql == plan_.primary_key_ddl) continue;  // built after the rows are in
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
    if (direct_) {
      step = "starting COPY into " + what();
      copy_ = std::make_unique<CopyIn>(*db_->tx, direct_copy_sql(plan_, q));
    } else {
      step = "creating the staging table for " + what();
      db_->tx->exec(staging_ddl(plan_, q));
      step = "starting COPY into staging for " + what();
      copy_ = std::make_unique<CopyIn>(*db_->tx, copy_sql(plan_, q));
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
  try {
    copy_->put(copy_text);
  } catch (...) {
    rethrow_db_error("loading rows into " + what(), secret_);
  }
}

void PgTableLoad::add_rejects(const std::vector<Reject>& rejects) {
  rejected_ += static_cast<int64_t>(rejects.size());
  for (const auto& r : rejects)
    if (rejects_.size() < kMaxStoredRejects) rejects_.push_back(r);
}

RunCounts PgTableLoad::commit(const RunEnd& end) {
  if (!prepared_ || finished_ || !copy_)
    throw Error(ErrorKind::Permanent, "commit without a prepared load of " + what());
  RunCounts counts;
  counts.pages = end.pages;
  counts.rows_read = end.rows_read;
  counts.rejected = rejected_;
  std::vector<std::string> messages = end.messages;
  if (rejected_ > static_cast<int64_t>(rejects_.size()))
    messages.push_back(std::to_string(rejected_ - static_cast<int64_t>(rejects_.size())) +
                       " rejects beyond the first " + std::to_string(kMaxStoredRejects) +
                       " were counted but not stored");
  try {
    copy_->finish();
  } catch (const Error& e) {
    throw Error(e.kind(), "loading rows into " + what() + ": " + e.what());
  }
  std::string step = "merging rows into " + what();
  try {
    if (direct_) {
      load_direct(end, counts, messages);
      seed_history();
    } else if (!plan_.key_columns.empty()) {
      seed_history();
      merge_keyed(end, counts, messages);
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
  db_.reset();
  return counts;
}

namespace {

// Why deletes are skipped for an incomplete run; empty when they may be applied.
std::string incomplete_run_reason(const RunEnd& end) {
  if (!end.complete) return "deletes skipped: the run did not read every page";
  if (end.total_results >= 0 && end.rows_read < end.total_results)
    return "deletes skipped: read " + std::to_string(end.rows_read) + " rows of " +
           std::to_string(end.total_results) + " announced";
  return {};
}

}  // namespace

// The rows are already in the new table. A keyed table gets its primary key now (one index
// build instead of a probe per row); duplicate keys make that fail, and are then removed, the
// last one read winning as in a merge. A full refresh that is incomplete leaves the new table
// empty, as a staged run would.
void PgTableLoad::load_direct(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  const int64_t lines = copy_->lines();
  if (!plan_.key_columns.empty()) {
    int64_t removed = 0;
    if (!try_add_primary_key()) {
      removed = static_cast<int64_t>(
          db_->tx->exec(direct_dedupe_sql(plan_, quoting())).affected_rows());
      db_->tx->exec(plan_.primary_key_ddl);
    }
    counts.inserted = lines - removed;
    counts.duplicates = removed;
    if (spec_.deletes != DeleteMode::Keep)
      if (auto why = incomplete_run_reason(end); !why.empty()) messages.push_back(why);
    return;
  }
  if (!end.complete || (end.total_results >= 0 && end.rows_read < end.total_results)) {
    db_->tx->exec("TRUNCATE " + plan_.qualified_table);
    messages.push_back("full refresh skipped: the run is incomplete; the table keeps its rows");
    return;
  }
  counts.inserted = lines;
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

void PgTableLoad::merge_keyed(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  Quoting q = quoting();
  db_->tx->exec(analyze_staging_sql(plan_, q));
  bool empty = db_->tx->exec("SELECT 1 FROM " + plan_.qualified_table + " LIMIT 1").empty();
  auto row = db_->tx->exec1(history_ ? history_upsert_sql(plan_, *history_, q, empty)
                                     : upsert_sql(plan_, q, empty));
  int64_t distinct = row[0].as<int64_t>();
  counts.inserted = row[1].as<int64_t>();
  counts.updated = row[2].as<int64_t>();
  counts.unchanged = distinct - counts.inserted - counts.updated;
  counts.duplicates = copy_->lines() - distinct;

  if (spec_.deletes == DeleteMode::Keep) return;
  const bool soft = spec_.deletes == DeleteMode::Soft;
  if (auto why = incomplete_run_reason(end); !why.empty()) {
    messages.push_back(why);
    return;
  }
  // A target that was empty before this run holds only staged rows: none can be absent, so the
  // anti join over the whole table (seconds per million rows) is skipped.
  if (empty) return;
  auto c = db_->tx->exec1(delete_counts_sql(plan_, q, soft));
  int64_t live = c[0].as<int64_t>(), absent = c[1].as<int64_t>();
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
    counts.deleted = db_->tx->exec1(history_delete_sql(plan_, *history_, q, soft))[0].as<int64_t>();
  else
    counts.deleted =
        static_cast<int64_t>(db_->tx->exec(delete_sql(plan_, q, soft)).affected_rows());
}

void PgTableLoad::replace_all(const RunEnd& end, RunCounts& counts,
                              std::vector<std::string>& messages) {
  if (!end.complete || (end.total_results >= 0 && end.rows_read < end.total_results)) {
    messages.push_back("full refresh skipped: the run is incomplete; the table keeps its rows");
    return;
  }
  int64_t old_rows = db_->tx->exec1(count_sql(plan_))[0].as<int64_t>();
  int64_t new_rows = copy_->lines();
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
  counts.deleted = static_cast<int64_t>(db_->tx->exec(replace_delete_sql(plan_)).affected_rows());
  counts.inserted =
      static_cast<int64_t>(db_->tx->exec(replace_insert_sql(plan_, quoting())).affected_rows());
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
      "duplicates = $9, messages = NULLIF($10, '') WHERE run_id = $1::uuid",
      run_id_, c.pages, c.rows_read, c.inserted, c.updated, c.unchanged, c.deleted, c.rejected,
      c.duplicates, messages.empty() ? std::string() : sanitize_utf8(joined(messages, "\n")));
}

void PgTableLoad::abort() noexcept {
  finished_ = true;
  try {
    if (copy_ && copy_->open()) copy_->cancel();
  } catch (...) {
  }
  copy_.reset();
  if (!db_) return;
  try {
    if (db_->tx) db_->tx->abort();
  } catch (...) {
  }
  try {
    db_->tx.reset();
    db_->conn.disconnect();
  } catch (...) {
  }
  db_.reset();
}

}  // namespace ccetl::warehouse
