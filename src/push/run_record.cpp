#include "push/run_record.h"

#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/naming.h"
#include "warehouse/watched_connection.h"

namespace ccetl::push {

void record_push_run(const std::string& dsn, const std::string& run_id, const std::string& error,
                     const RunCounts& counts, int64_t unknown, const std::vector<std::string>& messages) {
  std::string joined;
  for (const auto& m : messages) joined += (joined.empty() ? "" : "\n") + m;
  auto opt = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>() : std::optional<std::string>(warehouse::sanitize_utf8(s));
  };
  std::unique_ptr<warehouse::WatchedConnection> c;
  try {
    c = std::make_unique<warehouse::WatchedConnection>(dsn);
    auto& conn = c->conn;
    auto busy = c->watch->busy();
    pqxx::work tx(conn);
    tx.exec_params(
        "UPDATE ccetl.runs SET status = $2, finished_at = now(), error = $3, pages = $4, rows_read = $5, "
        "inserted = $6, updated = $7, unchanged = $8, deleted = $9, rejected = $10, duplicates = $11, "
        "unknown = $12, messages = $13 WHERE run_id = $1::uuid",
        run_id, error.empty() ? "succeeded" : "failed", opt(error), counts.pages, counts.rows_read, counts.inserted,
        counts.updated, counts.unchanged, counts.deleted, counts.rejected, counts.duplicates, unknown,
        opt(joined));
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    const std::string lost = std::string("database unreachable: ") + e.what();
    throw Error(ErrorKind::Transient, "recording the run: " + (c ? c->verdict_or(lost) : lost));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("recording the run: ") + e.what());
  }
}

}  // namespace ccetl::push
