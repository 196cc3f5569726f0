#include "push/query_cursor.h"

#include <pqxx/pqxx>

#include <cctype>

#include "core/error.h"
#include "warehouse/watched_connection.h"

namespace ccetl::push {

struct QueryCursor::Impl {
  explicit Impl(const std::string& dsn) : watched(dsn), tx(watched.conn) {}
  warehouse::WatchedConnection watched;
  pqxx::read_transaction tx;
};

namespace {

// `watched`: the connection `fn` uses (its waits bounded), or nullptr while connecting.
template <typename Fn>
auto query_call(warehouse::WatchedConnection* watched, Fn&& fn) {
  std::optional<warehouse::ServerWatch::Busy> busy;
  if (watched) busy.emplace(watched->watch);
  try {
    return fn();
  } catch (const pqxx::broken_connection& e) {
    const std::string lost = std::string("database unreachable: ") + e.what();
    throw Error(ErrorKind::Transient, "push query: " + (watched ? watched->verdict_or(lost) : lost));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("push query failed: ") + e.what());
  }
}

// DECLARE takes one statement without its terminating semicolon.
std::string without_final_semicolon(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return sql;
}

}  // namespace

QueryCursor::QueryCursor(const std::string& dsn, const std::string& sql, size_t batch_rows)
    : batch_rows_(batch_rows == 0 ? 1 : batch_rows) {
  query_call(nullptr, [&] {
    impl_ = std::make_unique<Impl>(dsn);
    auto busy = impl_->watched.watch.busy();
    impl_->tx.exec("DECLARE ccetl_push NO SCROLL CURSOR FOR " + without_final_semicolon(sql));
    return 0;
  });
}

QueryCursor::~QueryCursor() {
  if (!impl_) return;
  try {
    impl_->tx.abort();
    impl_->watched.conn.disconnect();
  } catch (...) {
  }
}

bool QueryCursor::next(TypedResult& batch) {
  return query_call(&impl_->watched, [&] {
    pqxx::result r = impl_->tx.exec("FETCH FORWARD " + std::to_string(batch_rows_) + " FROM ccetl_push");
    batch.columns.clear();
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c)
      batch.columns.push_back({r.column_name(c), static_cast<uint32_t>(r.column_type(c))});
    batch.rows.clear();
    batch.rows.reserve(r.size());
    for (const auto& row : r) {
      auto& dst = batch.rows.emplace_back();
      dst.reserve(row.size());
      for (const auto& field : row)
        dst.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str()));
    }
    return !batch.rows.empty();
  });
}

}  // namespace ccetl::push
