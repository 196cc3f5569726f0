// A pqxx connection with the ServerWatch that bounds every wait on it (server_watch.h), for code
// that opens a connection of its own. Open a Busy scope (`auto busy = c.watch->busy();`) around
// the statements, report c.verdict_or(...) when a statement fails with a lost connection, and
// end with close() (the watch stops before the socket closes).
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "warehouse/server_watch.h"

namespace ccetl::warehouse {

// The watch for `conn`: the check reaches the server `conn` is connected to.
inline std::unique_ptr<ServerWatch> watch_for(pqxx::connection_base& conn, const std::string& dsn) {
  const char* host = conn.hostname();
  const char* port = conn.port();
  return std::make_unique<ServerWatch>(dsn, conn.sock(), host ? host : "", port ? port : "");
}

// libpqxx 6.4 reconnects a lost connection silently on its next use: the new socket would be
// unwatched, and session state (advisory locks, cursors) gone. Off for every watched connection.
inline void no_silent_reconnect(pqxx::connection_base& conn) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn.inhibit_reactivation(true);
#pragma GCC diagnostic pop
}

struct WatchedConnection {
  explicit WatchedConnection(const std::string& dsn) : conn(dsn) {
    no_silent_reconnect(conn);
    watch = watch_for(conn, dsn);
  }
  ~WatchedConnection() { close(); }
  WatchedConnection(const WatchedConnection&) = delete;
  WatchedConnection& operator=(const WatchedConnection&) = delete;

  // Why the connection was lost: the watch's verdict when it shut it down, else `fallback`.
  std::string verdict_or(const std::string& fallback) const {
    auto v = watch ? watch->verdict() : std::nullopt;
    return v ? *v : fallback;
  }
  void close() noexcept {
    watch.reset();
    try {
      conn.disconnect();
    } catch (...) {
    }
  }

  pqxx::connection conn;
  std::unique_ptr<ServerWatch> watch;
};

}  // namespace ccetl::warehouse
