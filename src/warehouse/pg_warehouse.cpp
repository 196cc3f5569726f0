// PostgreSQL Warehouse: a control connection (autocommit) for the catalog, run history, plans
// and advisory locks; each TableLoad gets a connection of its own for its one transaction.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <pqxx/pqxx>
#include <set>
#include <type_traits>

#include "core/error.h"
#include "core/redact.h"
#include "warehouse/catalog_sql.h"
#include "warehouse/db_error.h"
#include "warehouse/history_catch_up.h"
#include "warehouse/history_plan.h"
#include "warehouse/naming.h"
#include "warehouse/schema_plan.h"
#include "warehouse/server_watch.h"
#include "warehouse/table_load.h"
#include "warehouse/table_state.h"
#include "warehouse/watched_connection.h"
#include "warehouse/warehouse.h"

namespace ccetl {
namespace {

using warehouse::rethrow_db_error;

// Serialises concurrent ensure_catalog() calls (CREATE ... IF NOT EXISTS races otherwise).
constexpr int64_t kCatalogLockKey = 0x63636574'6c636174;  // "ccetlcat"

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

bool process_alive(int pid) {
  if (pid <= 0) return false;
  if (pid == ::getpid()) return true;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

int64_t job_lock_key(const std::string& job) {
  return static_cast<int64_t>(warehouse::fnv1a64("ccetl.job:" + job));
}

class PgWarehouse final : public Warehouse {
 public:
  explicit PgWarehouse(std::string dsn)
      : dsn_(std::move(dsn)), secret_(warehouse::dsn_password(dsn_)) {
    try {
      connect();
    } catch (...) {
      rethrow_db_error("connecting to PostgreSQL", secret_);
    }
  }

  void ensure_catalog() override {
    with_control("creating the ccetl catalog", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      // Bounded: another process's catalog upgrade, or a long query on a catalog table, fails
      // this with "lock timeout" instead of hanging the start.
      tx.exec("SET LOCAL lock_timeout = '30s'");
      tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kCatalogLockKey) + ")");
      tx.exec(warehouse::kCatalogSql);
      tx.commit();
      return 0;
    });
  }

  void ping() override {
    with_control("checking the database", [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT 1");
      return 0;
    });
  }

  SchemaPlan plan(const TableSpec& spec, const std::vector<Field>& fields) override {
    return with_control("planning " + spec.schema + "." + spec.table, [&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      auto state = warehouse::read_existing(tx, spec.schema, spec.table);
      warehouse::Quoting q{[&](const std::string& s) { return tx.quote_name(s); },
                           [&](const std::string& s) { return tx.quote(s); }};
      auto table = warehouse::make_plan(spec, fields, state, q);
      if (spec.history) {
        auto history = warehouse::plan_history(
            spec, table,
            warehouse::read_existing(tx, spec.schema, warehouse::history_table_name(spec.table)),
            q);
        // A catalog older than ccetl.runs.history (discover does not apply the catalog) cannot
        // tell; the run applies the catalog first and does.
        if (!history.seed && table.schema.blockers.empty() &&
            !tx.exec("SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON "
                     "c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE n.nspname = 'ccetl' AND c.relname = 'runs' AND a.attname = 'history' "
                     "AND NOT a.attisdropped")
                 .empty() &&
            !tx.exec1(warehouse::history_kept_sql(spec, q))[0].as<bool>())
          table.schema.notes.push_back(
              "the last successful run of " + spec.schema + "." + spec.table +
              " did not keep its history: the next run catches the history up with the table");
      }
      return table.schema;
    });
  }

  std::string start_run(const std::string& job) override {
    const std::string host = host_name();
    return with_control("starting a run of " + job, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      auto running = tx.exec_params(
          "SELECT run_id::text, coalesce(pid, 0), coalesce(hostname, ''), "
          "started_at < now() - interval '1 day' FROM ccetl.runs "
          "WHERE job = $1 AND status = 'running'",
          job);
      for (const auto& row : running) {
        bool here = row[2].as<std::string>() == host;
        int pid = row[1].as<int>();
        bool dead = here ? !process_alive(pid) : row[3].as<bool>();
        if (!dead) continue;
        tx.exec_params(
            "UPDATE ccetl.runs SET status = 'abandoned', finished_at = now(), error = $2 "
            "WHERE run_id = $1::uuid AND status = 'running'",
            row[0].as<std::string>(),
            here ? "process " + std::to_string(pid) + " on " + host +
                       " ended without recording an outcome (killed, or the database was "
                       "unreachable when the run ended; see that process's log)"
                 : std::string("running for more than a day on another host"));
      }
      return tx
          .exec_params1(
              "INSERT INTO ccetl.runs (job, status, pid, hostname) "
              "VALUES ($1, 'running', $2, $3) RETURNING run_id::text",
              job, static_cast<int>(::getpid()), host)[0]
          .as<std::string>();
    });
  }

  std::unique_ptr<TableLoad> begin_load(const TableSpec& spec, const std::string& run_id) override {
    return std::make_unique<warehouse::PgTableLoad>(dsn_, secret_, spec, run_id);
  }

  void fail_run(const std::string& run_id, const std::string& error, const RunCounts& c) override {
    with_control("recording the failure of run " + run_id, [&](pqxx::connection& conn) {
      pqxx::nontransaction tx(conn);
      tx.exec_params(
          "UPDATE ccetl.runs SET status = 'failed', finished_at = now(), error = $2, pages = $3, "
          "rows_read = $4, inserted = $5, updated = $6, unchanged = $7, deleted = $8, "
          "rejected = $9, duplicates = $10 WHERE run_id = $1::uuid AND status <> 'succeeded'",
          run_id, warehouse::sanitize_utf8(redact(error, secret_)), c.pages, c.rows_read,
          c.inserted, c.updated, c.unchanged, c.deleted, c.rejected, c.duplicates);
      return 0;
    });
  }

  bool try_lock_job(const std::string& job) override {
    if (locked_.count(job)) return true;
    bool got = with_control("locking job " + job, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(job_lock_key(job)) + ")")[0]
          .as<bool>();
    });
    if (got) locked_.insert(job);
    return got;
  }

  void unlock_job(const std::string& job) override {
    if (!locked_.count(job)) return;
    locked_.erase(job);
    with_control("unlocking job " + job, [&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_advisory_unlock(" + std::to_string(job_lock_key(job)) + ")");
      return 0;
    });
  }

 private:
  void connect() {
    watch_.reset();
    control_ = std::make_unique<pqxx::connection>(dsn_);
    // A silent reconnect would drop our session-level advisory locks: fail loudly instead.
    warehouse::no_silent_reconnect(*control_);
    watch_ = warehouse::watch_for(*control_, dsn_);
    locked_.clear();
  }

  // Runs `f` on the control connection; reconnects once if the connection was lost (locks
  // held on the lost connection are gone, so the retry happens only when none were held).
  template <typename F>
  std::invoke_result_t<F, pqxx::connection&> with_control(const std::string& doing, F&& f) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (!control_ || !control_->is_open()) connect();
        auto busy = watch_->busy();
        return f(*control_);
      } catch (const pqxx::broken_connection& e) {
        bool had_locks = !locked_.empty();
        auto verdict = watch_ ? watch_->verdict() : std::nullopt;
        watch_.reset();
        control_.reset();
        locked_.clear();
        // A server the watch found silent is not asked again.
        if (verdict) throw Error(ErrorKind::Transient, redact(doing + ": " + *verdict, secret_));
        if (attempt == 0 && !had_locks) continue;
        rethrow_db_error(doing, secret_);
      } catch (...) {
        if (auto verdict = watch_ ? watch_->verdict() : std::nullopt) {
          watch_.reset();
          control_.reset();
          locked_.clear();
          throw Error(ErrorKind::Transient, redact(doing + ": " + *verdict, secret_));
        }
        rethrow_db_error(doing, secret_);
      }
    }
  }

  std::string dsn_;
  std::string secret_;
  std::unique_ptr<pqxx::connection> control_;
  std::unique_ptr<warehouse::ServerWatch> watch_;  // bounds every wait on control_; reset first
  std::set<std::string> locked_;
};

}  // namespace

std::unique_ptr<Warehouse> connect_warehouse(const std::string& dsn) {
  return std::make_unique<PgWarehouse>(dsn);
}

}  // namespace ccetl
