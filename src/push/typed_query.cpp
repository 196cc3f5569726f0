#include "push/typed_query.h"

#include <pqxx/pqxx>

#include "core/error.h"

namespace ccetl::push {

int TypedResult::index_of(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

TypedResult run_typed_query(const std::string& dsn, const std::string& sql) {
  try {
    pqxx::connection conn(dsn);
    pqxx::read_transaction tx(conn);
    pqxx::result r = tx.exec(sql);
    TypedResult out;
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c)
      out.columns.push_back({r.column_name(c), static_cast<uint32_t>(r.column_type(c))});
    out.rows.reserve(r.size());
    for (const auto& row : r) {
      auto& dst = out.rows.emplace_back();
      dst.reserve(row.size());
      for (const auto& field : row)
        dst.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str()));
    }
    return out;
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorKind::Transient, std::string("push query: database unreachable: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorKind::Permanent, std::string("push query failed: ") + e.what());
  }
}

}  // namespace ccetl::push
