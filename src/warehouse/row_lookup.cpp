#include "warehouse/row_lookup.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstdlib>

#include "core/error.h"

namespace ccetl::warehouse {
namespace {

// A PostgreSQL array literal of text elements: {"a","b\"c"}.
std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string type_of(const TablePlan& plan, const std::string& column) {
  if (column == kProjectKey) return "text";
  for (const auto& c : plan.schema.columns)
    if (c.column_name == column) return c.sql_type;
  return "text";
}

std::string quote_name(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string quote_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

PGconn* pg(void* p) { return static_cast<PGconn*>(p); }

// Runs `sql` (no result rows wanted); throws with libpq's message.
void run(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string err = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  if (!ok) throw Error(ErrorKind::Transient, "looking up unchanged rows: " + err);
}

}  // namespace

RowLookup::RowLookup(const std::string& dsn, const TablePlan& plan, const std::string& time_zone,
                     const std::atomic<bool>* cancelled)
    : cancelled_(cancelled), key_count_(plan.key_columns.size()) {
  conn_ = PQconnectdb(dsn.c_str());
  if (PQstatus(pg(conn_)) != CONNECTION_OK) {
    std::string err = PQerrorMessage(pg(conn_));
    PQfinish(pg(conn_));
    conn_ = nullptr;
    throw Error(ErrorKind::Transient, "connecting to look up unchanged rows: " + err);
  }
  try {
    // One index probe per row of the page: never a scan of the table.
    run(pg(conn_),
        "SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_seqscan = off; "
        "SET jit = off; SET statement_timeout = '20s'");
    if (!time_zone.empty()) run(pg(conn_), "SET TimeZone = " + quote_literal(time_zone));
    std::string unnest, names, match;
    for (std::size_t k = 0; k < key_count_; ++k) {
      const std::string& col = plan.key_columns[k];
      unnest += "$" + std::to_string(k + 1) + "::text[], ";
      names += "k" + std::to_string(k) + ", ";
      match += "x." + quote_name(col) + " = s.k" + std::to_string(k) + "::" + type_of(plan, col) +
               " AND ";
    }
    const std::string sql =
        "SELECT s.i FROM unnest(" + unnest + "$" + std::to_string(key_count_ + 1) +
        "::uuid[]) WITH ORDINALITY AS s(" + names + "h, i) JOIN " + plan.qualified_table + " x ON " +
        match + "x." + kRowHash + " = s.h" +
        (plan.deleted_at_column ? " AND x." + std::string(kDeletedAt) + " IS NULL" : "");
    PGresult* r = PQprepare(pg(conn_), "ccetl_row_lookup", sql.c_str(),
                            static_cast<int>(key_count_ + 1), nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string err = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    if (!ok) throw Error(ErrorKind::Transient, "preparing the lookup of unchanged rows: " + err);
  } catch (...) {
    PQfinish(pg(conn_));
    conn_ = nullptr;
    throw;
  }
}

RowLookup::~RowLookup() {
  if (conn_) PQfinish(pg(conn_));  // a query still in flight is abandoned with the connection
}

void RowLookup::send(const std::vector<std::vector<std::string>>& keys,
                     const std::vector<std::string>& hashes) {
  std::vector<std::string> params;
  for (std::size_t k = 0; k < key_count_; ++k) {
    std::vector<std::string> column;
    column.reserve(keys.size());
    for (const auto& row : keys) column.push_back(row.at(k));
    params.push_back(array_literal(column));
  }
  params.push_back(array_literal(hashes));
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  if (!PQsendQueryPrepared(pg(conn_), "ccetl_row_lookup", static_cast<int>(values.size()),
                           values.data(), nullptr, nullptr, 0))
    throw Error(ErrorKind::Transient,
                std::string("looking up unchanged rows: ") + PQerrorMessage(pg(conn_)));
  rows_ = static_cast<long>(hashes.size());
}

std::vector<bool> RowLookup::receive() {
  std::vector<bool> out(static_cast<std::size_t>(rows_ < 0 ? 0 : rows_), false);
  rows_ = -1;
  // Wait for the whole answer without blocking in libpq, so that the wait has a bound and a
  // cancel path; PQgetResult then returns at once.
  constexpr auto kMaxWait = std::chrono::seconds(20);
  const auto deadline = std::chrono::steady_clock::now() + kMaxWait;
  while (PQisBusy(pg(conn_))) {
    // A connection the server closed (restart, terminated backend) has no socket to wait on.
    if (PQstatus(pg(conn_)) != CONNECTION_OK || PQsocket(pg(conn_)) < 0)
      throw Error(ErrorKind::Transient, std::string("looking up unchanged rows: ") + PQerrorMessage(pg(conn_)));
    if (cancelled_ && cancelled_->load()) throw Error(ErrorKind::Transient, "looking up unchanged rows: cancelled");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw Error(ErrorKind::Transient, "looking up unchanged rows: no answer within 20 s");
    pollfd fd{PQsocket(pg(conn_)), POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 200)));
    if (ready < 0 && errno != EINTR)
      throw Error(ErrorKind::Transient, "looking up unchanged rows: poll failed");
    if (ready > 0 && (fd.revents & (POLLERR | POLLNVAL)))
      throw Error(ErrorKind::Transient, "looking up unchanged rows: connection lost");
    if (ready > 0 && !PQconsumeInput(pg(conn_)))
      throw Error(ErrorKind::Transient, std::string("looking up unchanged rows: ") + PQerrorMessage(pg(conn_)));
  }
  std::string err;
  while (PGresult* r = PQgetResult(pg(conn_))) {
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      for (int row = 0; row < PQntuples(r); ++row) {
        long i = std::strtol(PQgetvalue(r, row, 0), nullptr, 10);
        if (i >= 1 && static_cast<std::size_t>(i) <= out.size()) out[static_cast<std::size_t>(i - 1)] = true;
      }
    } else if (err.empty()) {
      err = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  if (!err.empty()) throw Error(ErrorKind::Transient, "looking up unchanged rows: " + err);
  return out;
}

}  // namespace ccetl::warehouse
