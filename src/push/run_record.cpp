#include "push/run_record.h"

#include <pqxx/pqxx>

#include "core/error.h"

namespace ccetl::push {

void mark_run_succeeded(const std::string& dsn, const std::string& run_id, const RunCounts& counts,
                        const std::vector<std::string>& messages) {
  std::string joined;
  for (const auto& m : messages) joined += (joined.empty() ? "" : "\n") + m;
  try {
    pqxx::connection conn(dsn);
    pqxx::work tx(conn);
    tx.exec_params(
        "UPDATE ccetl.runs SET status = 'succeeded', finished_at = now(), pages = $2, rows_read = $3, "
        "inserted = $4, updated = $5, unchanged = $6, deleted = $7, rejected = $8, duplicates = $9, "
        "messages = $10 WHERE run_id = $1::uuid",
        run_id, counts.pages, counts.rows_read, counts.inserted, counts.updated, counts.unchanged, counts.deleted,
        counts.rejected, counts.duplicates, joined.empty() ? std::optional<std::string>() : joined);
    tx.commit();
    conn.disconnect();
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorKind::Transient, std::string("recording the run: database unreachable: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("recording the run: ") + e.what());
  }
}

}  // namespace ccetl::push
