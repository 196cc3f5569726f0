#include "push/query_cursor.h"

#include <pqxx/pqxx>

#include <cctype>

#include "core/error.h"
#include "push/attachments.h"
#include "warehouse/watched_connection.h"

namespace ccetl::push {

struct QueryCursor::Impl {
  explicit Impl(const std::string& dsn) : watched(dsn) {}
  warehouse::WatchedConnection watched;
};

namespace {

// `watched`: the connection `fn` uses (its waits bounded), or nullptr while connecting.
template <typename Fn>
auto query_call(warehouse::WatchedConnection* watched, Fn&& fn) {
  std::optional<warehouse::ServerWatch::Busy> busy;
  if (watched) busy.emplace(*watched->watch);
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

QueryCursor::QueryCursor(const std::string& dsn, const std::string& sql, size_t batch_rows,
                         std::set<std::string> byte_columns)
    : batch_rows_(batch_rows == 0 ? 1 : batch_rows), byte_columns_(std::move(byte_columns)) {
  query_call(nullptr, [&] {
    impl_ = std::make_unique<Impl>(dsn);
    return 0;
  });
  query_call(&impl_->watched, [&] {
    // WITH HOLD: the commit stores the result on the server (work_mem, then temp files) and
    // ends the transaction, so a push run that sends for an hour holds no snapshot (which would
    // keep VACUUM from cleaning every table of the database) and no locks. READ ONLY: the query
    // cannot write, whatever functions it calls.
    // Bytea cells are decoded as hex text, whatever the server's default (`escape` is possible).
    impl_->watched.conn.set_variable("bytea_output", "'hex'");
    pqxx::read_transaction tx(impl_->watched.conn);
    tx.exec("DECLARE ccetl_push NO SCROLL CURSOR WITH HOLD FOR " + without_final_semicolon(sql));
    tx.commit();
    return 0;
  });
}

QueryCursor::~QueryCursor() {
  if (!impl_) return;
  try {
    auto busy = impl_->watched.watch->busy();
    pqxx::nontransaction tx(impl_->watched.conn);
    tx.exec("CLOSE ccetl_push");
  } catch (...) {
  }
  impl_->watched.close();
}

bool QueryCursor::next(TypedResult& batch) {
  return query_call(&impl_->watched, [&] {
    pqxx::nontransaction tx(impl_->watched.conn);
    pqxx::result r = tx.exec("FETCH FORWARD " + std::to_string(batch_rows_) + " FROM ccetl_push");
    batch.columns.clear();
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c) {
      TypedColumn col{r.column_name(c), static_cast<uint32_t>(r.column_type(c))};
      col.decoded_bytes = col.type_oid == oid::kBytea && byte_columns_.count(col.name) > 0;
      batch.columns.push_back(std::move(col));
    }
    batch.rows.clear();
    batch.rows.reserve(r.size());
    for (const auto& row : r) {
      auto& dst = batch.rows.emplace_back();
      dst.reserve(row.size());
      for (pqxx::row::size_type c = 0; c < row.size(); ++c) {
        const pqxx::field field = row[c];
        if (field.is_null())
          dst.emplace_back(std::nullopt);
        else if (batch.columns[c].decoded_bytes)
          dst.emplace_back(decode_bytea_hex(std::string_view(field.c_str(), field.size())));
        else
          dst.emplace_back(std::string(field.c_str(), field.size()));
      }
    }
    return !batch.rows.empty();
  });
}

}  // namespace ccetl::push
