#include "warehouse/copy_in.h"

#include <algorithm>
#include <libpq-fe.h>
#include <pqxx/pqxx>

#include "core/error.h"
#include "warehouse/db_error.h"

namespace ccetl::warehouse {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

// libpqxx 6.4 exposes the transaction's PGconn* only to largeobject and its subclasses.
struct RawConnection : pqxx::largeobject {
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

PGconn* pg(void* p) { return static_cast<PGconn*>(p); }

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

CopyIn::CopyIn(pqxx::dbtransaction& tx, const std::string& copy_sql) {
  tx.exec(copy_sql);  // leaves the connection in COPY IN state
  conn_ = RawConnection::of(tx);
  buffer_.reserve(kChunk + 64 * 1024);
}

void CopyIn::put(std::string_view text) {
  lines_ += std::count(text.begin(), text.end(), '\n');
  if (buffer_.size() + text.size() > kChunk && !buffer_.empty()) flush();
  if (text.size() >= kChunk) {
    buffer_.append(text);
    flush();
    return;
  }
  buffer_.append(text);
}

void CopyIn::flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(pg(conn_), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    std::string message = trimmed(PQerrorMessage(pg(conn_)));
    buffer_.clear();
    // A failure here is the connection: the server's own verdict comes with finish().
    open_ = false;
    PGresult* r;
    while ((r = PQgetResult(pg(conn_))) != nullptr) PQclear(r);
    throw Error(ErrorKind::Transient, "sending rows: " + message);
  }
  buffer_.clear();
}

void CopyIn::cancel() noexcept {
  if (!open_) return;
  open_ = false;
  buffer_.clear();
  PQputCopyEnd(pg(conn_), "ccetl: load aborted");
  PGresult* r;
  while ((r = PQgetResult(pg(conn_))) != nullptr) PQclear(r);
}

void CopyIn::finish() {
  if (!open_) return;
  flush();
  open_ = false;
  if (PQputCopyEnd(pg(conn_), nullptr) != 1)
    throw Error(ErrorKind::Transient, "ending COPY: " + trimmed(PQerrorMessage(pg(conn_))));
  std::string error;
  ErrorKind kind = ErrorKind::Data;
  PGresult* r;
  while ((r = PQgetResult(pg(conn_))) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && error.empty()) {
      error = trimmed(PQresultErrorMessage(r));
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      kind = state ? kind_for_sqlstate(state) : ErrorKind::Transient;
      if (kind == ErrorKind::Permanent && state && std::string_view(state).substr(0, 2) == "22")
        kind = ErrorKind::Data;
    }
    PQclear(r);
  }
  if (PQstatus(pg(conn_)) == CONNECTION_BAD) {
    throw Error(ErrorKind::Transient,
                "COPY: connection lost: " + (error.empty() ? trimmed(PQerrorMessage(pg(conn_))) : error));
  }
  if (!error.empty()) throw Error(kind, error);
}

}  // namespace ccetl::warehouse
