#include "push/ledger.h"

#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/watched_connection.h"

namespace ccetl::push {

struct Ledger::Impl {
  explicit Impl(const std::string& dsn) : watched(dsn), conn(watched.conn) {}
  warehouse::WatchedConnection watched;
  pqxx::connection& conn;
};

namespace {

// `watched`: the connection `fn` uses (its waits bounded), or nullptr while connecting.
template <typename Fn>
auto db_call(warehouse::WatchedConnection* watched, const char* what, Fn&& fn) {
  std::optional<warehouse::ServerWatch::Busy> busy;
  if (watched) busy.emplace(*watched->watch);
  try {
    return fn();
  } catch (const pqxx::broken_connection& e) {
    const std::string lost = std::string("database unreachable: ") + e.what();
    throw Error(ErrorKind::Transient, "push ledger: " + (watched ? watched->verdict_or(lost) : lost));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("push ledger: ") + what + ": " + e.what());
  }
}

// A PostgreSQL text[] literal: every element double-quoted, '"' and '\\' escaped.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out + "}";
}

// The ledger tables exist once a push run (or the daemon) has created the catalog; before that
// every query of `push list` / `push retry` has nothing to find.
bool ledger_exists(pqxx::transaction_base& tx) {
  return tx.exec("SELECT to_regclass('ccetl.push_log') IS NOT NULL AND to_regclass('ccetl.push_files') IS NOT NULL")[0][0]
      .as<bool>();
}

std::optional<std::string> opt(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

Ledger::Ledger(const std::string& dsn, std::string job, bool read_only) : job_(std::move(job)), read_only_(read_only) {
  db_call(nullptr, "connecting", [&] {
    impl_ = std::make_unique<Impl>(dsn);
    return 0;
  });
}

Ledger::~Ledger() {
  if (impl_) impl_->watched.close();
}

std::map<std::string, LedgerEntry> Ledger::load() { return load_where(false, {}); }

std::map<std::string, LedgerEntry> Ledger::load(const std::vector<std::string>& row_keys) {
  if (row_keys.empty()) return {};
  return load_where(true, row_keys);
}

std::map<std::string, LedgerEntry> Ledger::load_where(bool by_keys, const std::vector<std::string>& row_keys) {
  return db_call(&impl_->watched, "reading", [&] {
    std::map<std::string, LedgerEntry> out;
    pqxx::read_transaction tx(impl_->conn);
    if (!ledger_exists(tx)) return out;
    pqxx::result r = tx.exec_params(
        "SELECT row_key, payload_hash, state, http_status, coalesce(created_id, ''), coalesce(created_key, ''), "
        "coalesce(status_endpoint, ''), coalesce(final_status, ''), attempts, coalesce(error, '') "
        "FROM ccetl.push_log WHERE job = $1 AND (NOT $2 OR row_key = ANY($3::text[]))",
        job_, by_keys, text_array(row_keys));
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
  db_call(&impl_->watched, "recording an intent", [&] {
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
  db_call(&impl_->watched, "recording a result", [&] {
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
  db_call(&impl_->watched, "marking unknown", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params("UPDATE ccetl.push_log SET state = 'unknown', error = $3 WHERE job = $1 AND row_key = $2", job_,
                   row_key, error);
    tx.commit();
    return 0;
  });
}

}  // namespace ccetl::push

namespace ccetl::push {

void Ledger::record_created(const std::string& row_key, const LedgerResult& result,
                            const std::vector<FileRecord>& files) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call(&impl_->watched, "recording a created feedback", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "UPDATE ccetl.push_log SET state = $3, http_status = $4, created_id = $5, created_key = $6, error = $7 "
        "WHERE job = $1 AND row_key = $2",
        job_, row_key, result.state, result.http_status, opt(result.created_id), opt(result.created_key),
        opt(result.error));
    for (const auto& f : files)
      tx.exec_params(
          "INSERT INTO ccetl.push_files (job, row_key, element_key, file_index, file_name, content_hash, url, state, "
          "error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
          job_, row_key, f.element_key, f.file_index, f.file_name, f.content_hash, opt(f.url), f.state,
          opt(f.error));
    tx.commit();
    return 0;
  });
}

void Ledger::set_state(const std::string& row_key, const std::string& state, const std::string& error) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call(&impl_->watched, "recording a state", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params("UPDATE ccetl.push_log SET state = $3, error = $4 WHERE job = $1 AND row_key = $2", job_, row_key,
                   state, opt(error));
    tx.commit();
    return 0;
  });
}

std::vector<FileRecord> Ledger::files(const std::string& row_key) {
  return db_call(&impl_->watched, "reading planned uploads", [&] {
    std::vector<FileRecord> out;
    pqxx::read_transaction tx(impl_->conn);
    if (read_only_ && !tx.exec("SELECT to_regclass('ccetl.push_files') IS NOT NULL")[0][0].as<bool>()) return out;
    pqxx::result r = tx.exec_params(
        "SELECT element_key, file_index, file_name, content_hash, coalesce(url, ''), state, coalesce(error, '') "
        "FROM ccetl.push_files WHERE job = $1 AND row_key = $2 ORDER BY element_key, file_index",
        job_, row_key);
    for (const auto& row : r)
      out.push_back({row[0].c_str(), row[1].as<int>(), row[2].c_str(), row[3].c_str(), row[4].c_str(), row[5].c_str(),
                     row[6].c_str()});
    return out;
  });
}

void Ledger::record_file(const std::string& row_key, const FileRecord& file) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  db_call(&impl_->watched, "recording an upload", [&] {
    pqxx::work tx(impl_->conn);
    tx.exec_params(
        "UPDATE ccetl.push_files SET state = $5, error = $6, updated_at = now() "
        "WHERE job = $1 AND row_key = $2 AND element_key = $3 AND file_index = $4",
        job_, row_key, file.element_key, file.file_index, file.state, opt(file.error));
    tx.commit();
    return 0;
  });
}

std::vector<std::string> Ledger::mark_for_retry(const std::vector<std::string>& row_keys) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  return db_call(&impl_->watched, "marking rows for retry", [&] {
    std::vector<std::string> marked;
    pqxx::work tx(impl_->conn);
    if (!ledger_exists(tx)) return marked;
    pqxx::result r = tx.exec_params(
        "UPDATE ccetl.push_log SET "
        "state = CASE WHEN created_key IS NOT NULL OR EXISTS (SELECT 1 FROM ccetl.push_files f "
        "  WHERE f.job = push_log.job AND f.row_key = push_log.row_key) THEN 'sent' ELSE 'failed' END, "
        "error = 'marked for retry by ccetl push retry' || coalesce(' (was ' || state || ': ' || error || ')', "
        "  ' (was ' || state || ')') "
        "WHERE job = $1 AND state IN ('unknown', 'failed', 'intent') AND "
        "(cardinality($2::text[]) = 0 OR row_key = ANY($2::text[])) RETURNING row_key",
        job_, text_array(row_keys));
    for (const auto& row : r) marked.emplace_back(row[0].c_str());
    tx.exec_params(
        "UPDATE ccetl.push_files SET state = 'pending', error = NULL, updated_at = now() "
        "WHERE job = $1 AND row_key = ANY($2::text[]) AND state IN ('unknown', 'failed', 'uploading') AND url IS NOT NULL",
        job_, text_array(marked));
    tx.commit();
    return marked;
  });
}

std::vector<AppliedRow> Ledger::mark_applied(const std::vector<std::string>& row_keys) {
  if (read_only_) throw Error(ErrorKind::Permanent, "push ledger: write in a dry run");
  return db_call(&impl_->watched, "marking rows applied", [&] {
    std::vector<AppliedRow> marked;
    pqxx::work tx(impl_->conn);
    if (!ledger_exists(tx)) return marked;
    // A `sent` row (a created feedback whose uploads are outstanding) is taken only when named:
    // a person gives up its missing files, e.g. one that keeps failing.
    pqxx::result rows = tx.exec_params(
        "SELECT row_key, state FROM ccetl.push_log WHERE job = $1 AND "
        "(state IN ('unknown', 'intent') OR (state = 'sent' AND cardinality($2::text[]) > 0)) AND "
        "(cardinality($2::text[]) = 0 OR row_key = ANY($2::text[])) ORDER BY row_key FOR UPDATE",
        job_, text_array(row_keys));
    for (const auto& row : rows) {
      AppliedRow a;
      a.row_key = row[0].c_str();
      const std::string was = row[1].c_str();
      // The uploads whose outcome was unknown arrived: that is what the person found.
      tx.exec_params(
          "UPDATE ccetl.push_files SET state = 'uploaded', error = NULL, updated_at = now() "
          "WHERE job = $1 AND row_key = $2 AND state IN ('unknown', 'uploading')",
          job_, a.row_key);
      if (was == "sent") {
        a.files_given_up = tx.exec_params(
                                 "UPDATE ccetl.push_files SET state = 'failed', error = 'not uploaded: the row was "
                                 "marked succeeded by ccetl push retry --applied' || coalesce(' (was: ' || error || "
                                 "')', ''), updated_at = now() WHERE job = $1 AND row_key = $2 AND state IN "
                                 "('pending', 'failed')",
                                 job_, a.row_key)
                               .affected_rows();
      } else {
        // Files never started still go up: the row stays `sent` until they have.
        a.files_outstanding =
            tx.exec_params("SELECT count(*) FROM ccetl.push_files WHERE job = $1 AND row_key = $2 AND state IN "
                           "('pending', 'failed')",
                           job_, a.row_key)[0][0]
                .as<int64_t>();
      }
      a.state = a.files_outstanding > 0 ? "sent" : "succeeded";
      tx.exec_params(
          "UPDATE ccetl.push_log SET state = $3, error = 'marked applied by ccetl push retry --applied' || "
          "coalesce(' (was ' || state || ': ' || error || ')', ' (was ' || state || ')') "
          "WHERE job = $1 AND row_key = $2",
          job_, a.row_key, a.state);
      marked.push_back(std::move(a));
    }
    tx.commit();
    return marked;
  });
}

std::vector<ListedEntry> Ledger::list(const std::string& state) {
  return db_call(&impl_->watched, "listing", [&] {
    std::vector<ListedEntry> out;
    pqxx::read_transaction tx(impl_->conn);
    if (!ledger_exists(tx)) return out;
    pqxx::result r = tx.exec_params(
        "SELECT p.row_key, p.payload_hash, p.state, p.http_status, coalesce(p.created_id, ''), "
        "coalesce(p.created_key, ''), coalesce(p.status_endpoint, ''), coalesce(p.final_status, ''), p.attempts, "
        "coalesce(p.error, ''), coalesce(to_char(p.last_sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
        "(SELECT count(*) FROM ccetl.push_files f WHERE f.job = p.job AND f.row_key = p.row_key), "
        "(SELECT count(*) FROM ccetl.push_files f WHERE f.job = p.job AND f.row_key = p.row_key AND f.state = 'uploaded') "
        "FROM ccetl.push_log p WHERE p.job = $1 AND ($2 = '' OR p.state = $2) ORDER BY p.row_key",
        job_, state);
    for (const auto& row : r) {
      ListedEntry l;
      l.row_key = row[0].c_str();
      l.entry.payload_hash = row[1].c_str();
      l.entry.state = row[2].c_str();
      if (!row[3].is_null()) l.entry.http_status = row[3].as<int>();
      l.entry.created_id = row[4].c_str();
      l.entry.created_key = row[5].c_str();
      l.entry.status_endpoint = row[6].c_str();
      l.entry.final_status = row[7].c_str();
      l.entry.attempts = row[8].as<int>();
      l.entry.error = row[9].c_str();
      l.last_sent_at = row[10].c_str();
      l.files_total = row[11].as<int>();
      l.files_uploaded = row[12].as<int>();
      out.push_back(std::move(l));
    }
    return out;
  });
}

}  // namespace ccetl::push
