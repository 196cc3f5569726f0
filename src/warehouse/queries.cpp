#include "warehouse/queries.h"

#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/watched_connection.h"

namespace ccetl {
namespace {

template <typename Fn>
auto with_read_tx(const std::string& dsn, const std::string& what, Fn&& fn) {
  std::unique_ptr<warehouse::WatchedConnection> c;
  try {
    c = std::make_unique<warehouse::WatchedConnection>(dsn);
    auto busy = c->watch->busy();
    pqxx::read_transaction tx(c->conn);
    return fn(tx);
  } catch (const pqxx::broken_connection& e) {
    const std::string lost = std::string("database unreachable: ") + e.what();
    throw Error(ErrorKind::Transient, what + ": " + (c ? c->verdict_or(lost) : lost));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, what + ": " + e.what());
  }
}

}  // namespace

QueryResult run_read_query(const std::string& dsn, const std::string& sql) {
  return with_read_tx(dsn, "query failed", [&](pqxx::read_transaction& tx) {
    pqxx::result r = tx.exec(sql);
    QueryResult out;
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c) out.columns.emplace_back(r.column_name(c));
    out.rows.reserve(r.size());
    for (const auto& row : r) {
      auto& dst = out.rows.emplace_back();
      for (const auto& field : row)
        dst.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str()));
    }
    return out;
  });
}

std::vector<std::string> distinct_field_values(const std::string& dsn, const std::string& job,
                                               const std::string& field) {
  return with_read_tx(dsn, "reading projects of job '" + job + "'", [&](pqxx::read_transaction& tx) {
    pqxx::result cols = tx.exec_params(
        "SELECT schema_name, table_name, column_name FROM ccetl.columns "
        "WHERE job = $1 AND field_name = $2 ORDER BY last_seen DESC LIMIT 1",
        job, field);
    if (cols.empty())
      throw Error(ErrorKind::Config, "projects_from: job '" + job + "' has no column for field '" +
                                         field + "' (has it run yet?)");
    std::string table = tx.quote_name(cols[0][0].c_str()) + "." + tx.quote_name(cols[0][1].c_str());
    std::string column = tx.quote_name(cols[0][2].c_str());
    // Rows that deletes: soft marked are gone upstream (an archived project answers 404): skip them.
    bool soft_deletes = !tx.exec_params(
                               "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) "
                               "AND attname = '_deleted_at' AND NOT attisdropped",
                               table)
                             .empty();
    pqxx::result r = tx.exec("SELECT DISTINCT " + column + "::text FROM " + table + " WHERE " + column +
                             " IS NOT NULL AND " + column + "::text <> ''" +
                             (soft_deletes ? " AND _deleted_at IS NULL" : "") + " ORDER BY 1");
    std::vector<std::string> values;
    for (const auto& row : r) values.emplace_back(row[0].c_str());
    return values;
  });
}

}  // namespace ccetl
