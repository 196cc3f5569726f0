#include "warehouse/copy_in.h"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <algorithm>
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

// libpq's COPY functions, resolved at run time. Debian's libpqxx.pc does not list -lpq, so the
// layer's CMake target cannot link libpq directly; libpq is always loaded (libpqxx needs it), so
// its symbols are found in the process's global scope. If the build links libpq explicitly,
// these can become direct calls.
struct LibPq {
  decltype(&::PQputCopyData) put_copy_data;
  decltype(&::PQputCopyEnd) put_copy_end;
  decltype(&::PQgetResult) get_result;
  decltype(&::PQresultStatus) result_status;
  decltype(&::PQresultErrorMessage) result_error_message;
  decltype(&::PQresultErrorField) result_error_field;
  decltype(&::PQclear) clear;
  decltype(&::PQerrorMessage) error_message;
  decltype(&::PQstatus) status;
};

template <typename T>
void resolve(T& fn, const char* name) {
  fn = reinterpret_cast<T>(::dlsym(RTLD_DEFAULT, name));
  if (!fn)
    throw ccetl::Error(ccetl::ErrorKind::Permanent,
                       std::string("libpq function ") + name + " not found");
}

const LibPq& libpq() {
  static const LibPq api = [] {
    LibPq a{};
    resolve(a.put_copy_data, "PQputCopyData");
    resolve(a.put_copy_end, "PQputCopyEnd");
    resolve(a.get_result, "PQgetResult");
    resolve(a.result_status, "PQresultStatus");
    resolve(a.result_error_message, "PQresultErrorMessage");
    resolve(a.result_error_field, "PQresultErrorField");
    resolve(a.clear, "PQclear");
    resolve(a.error_message, "PQerrorMessage");
    resolve(a.status, "PQstatus");
    return a;
  }();
  return api;
}

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

CopyIn::CopyIn(pqxx::dbtransaction& tx, const std::string& copy_sql) {
  tx.exec(copy_sql);  // leaves the connection in COPY IN state
  libpq();            // resolve before the COPY starts, so a failure leaves the connection usable
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
  if (libpq().put_copy_data(pg(conn_), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    std::string message = trimmed(libpq().error_message(pg(conn_)));
    buffer_.clear();
    // A failure here is the connection: the server's own verdict comes with finish().
    open_ = false;
    PGresult* r;
    while ((r = libpq().get_result(pg(conn_))) != nullptr) libpq().clear(r);
    throw Error(ErrorKind::Transient, "sending rows: " + message);
  }
  buffer_.clear();
}

void CopyIn::cancel() noexcept {
  if (!open_) return;
  open_ = false;
  buffer_.clear();
  libpq().put_copy_end(pg(conn_), "ccetl: load aborted");
  PGresult* r;
  while ((r = libpq().get_result(pg(conn_))) != nullptr) libpq().clear(r);
}

void CopyIn::finish() {
  if (!open_) return;
  flush();
  open_ = false;
  if (libpq().put_copy_end(pg(conn_), nullptr) != 1)
    throw Error(ErrorKind::Transient, "ending COPY: " + trimmed(libpq().error_message(pg(conn_))));
  std::string error;
  ErrorKind kind = ErrorKind::Data;
  PGresult* r;
  while ((r = libpq().get_result(pg(conn_))) != nullptr) {
    if (libpq().result_status(r) != PGRES_COMMAND_OK && error.empty()) {
      error = trimmed(libpq().result_error_message(r));
      const char* state = libpq().result_error_field(r, PG_DIAG_SQLSTATE);
      kind = state ? kind_for_sqlstate(state) : ErrorKind::Transient;
      if (kind == ErrorKind::Permanent && state && std::string_view(state).substr(0, 2) == "22")
        kind = ErrorKind::Data;
    }
    libpq().clear(r);
  }
  if (libpq().status(pg(conn_)) == CONNECTION_BAD) {
    throw Error(ErrorKind::Transient,
                "COPY: connection lost: " +
                    (error.empty() ? trimmed(libpq().error_message(pg(conn_))) : error));
  }
  if (!error.empty()) throw Error(kind, error);
}

}  // namespace ccetl::warehouse
