#include "push/ledger.h"

#include <pqxx/pqxx>

#include "core/error.h"

namespace ccetl::push {

struct Ledger::Impl {
  explicit Impl(const std::string& dsn) : conn(dsn) {}
  pqxx::connection conn;
};

namespace {

template <typename Fn>
auto db_call(const char* what, Fn&& fn) {
  try {
    return fn();
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorKind::Transient, std::string("push ledger: database unreachable: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("push ledger: ") + what + ": " + e.what());
  }
}

std::optional<std::string> opt(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

Ledger::Ledger(const std::string& dsn, std::string job, bool read_only) : job_(std::move(job)), read_only_(read_only) {
  db_call("connecting", [&] {
    impl_ = std::make_unique<Impl>(dsn);
    return 0;
  });
}

Ledger::~Ledger() {
  if (impl_) {
    try {
      impl_->conn.disconnect();
    } catch (...) {
    }
  }
}

std::map<std::string, LedgerEntry> Ledger::load() {
  return db_call("reading", [&] {
    std::map<std::string, LedgerEntry> out;
    pqxx::read_transaction tx(impl_->conn);
    if (read_only_) {
      pqxx::result exists = tx.exec("SELECT to_regclass('ccetl.push_log') IS NOT NULL");
      if (!exists[0][0].as<bool>()) return out;
    }
    pqxx::result r = tx.exec_params(
        "SELECT row_key, payload_hash, state, http_status, coalesce(created_id, ''), coalesce(created_key, ''), "
        "coalesce(status_endpoint, ''), coalesce(final_status, ''), attempts, coalesce(error, '') "
        "FROM ccetl.push_log WHERE job = $1",
        job_);
    for (const auto& row : r) {
      LedgerEntry e;
      e.payload_hash = row[1].c_str();
      e.state = row[2].c_str();
      if (!row[3].is_null()) e.http_status = row[3].as<int>();
      e.created_id = row[4].c_str();
      e.created_key = row[5].c_str();
      e.status_endpoint = row[6].c_str();
      e.final_status = row[7].c_str();
      e.attempts = row[8].as<int>();
      e.error = row[9].c_str();
      out.emplace(row[0].c_str(), std::move(e));
    }
    return out;
  });
}

void Ledger::record_intent(const std::string& row_key, const std::string& payload_hash) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call("recording an intent", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "INSERT INTO ccetl.push_log AS p (job, row_key, payload_hash, attempts, first_sent_at, last_sent_at, state) "
        "VALUES ($1, $2, $3, 1, now(), now(), 'intent') "
        "ON CONFLICT (job, row_key) DO UPDATE SET payload_hash = EXCLUDED.payload_hash, "
        "attempts = p.attempts + 1, first_sent_at = coalesce(p.first_sent_at, now()), last_sent_at = now(), "
        "state = 'intent', http_status = NULL, created_id = NULL, created_key = NULL, status_endpoint = NULL, "
        "final_status = NULL, error = NULL",
        job_, row_key, payload_hash);
    tx.commit();
    return 0;
  });
}

void Ledger::record_result(const std::string& row_key, const LedgerResult& result) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call("recording a result", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "UPDATE ccetl.push_log SET state = $3, http_status = $4, created_id = $5, created_key = $6, "
        "status_endpoint = $7, final_status = $8, error = $9 WHERE job = $1 AND row_key = $2",
        job_, row_key, result.state, result.http_status, opt(result.created_id), opt(result.created_key),
        opt(result.status_endpoint), opt(result.final_status), opt(result.error));
    tx.commit();
    return 0;
  });
}

void Ledger::mark_unknown(const std::string& row_key, const std::string& error) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call("marking unknown", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params("UPDATE ccetl.push_log SET state = 'unknown', error = $3 WHERE job = $1 AND row_key = $2", job_,
                   row_key, error);
    tx.commit();
    return 0;
  });
}

}  // namespace ccetl::push
