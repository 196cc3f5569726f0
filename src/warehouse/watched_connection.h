// A pqxx connection with the ServerWatch that bounds every wait on it (server_watch.h), for code
// that opens a connection of its own. Open a Busy scope (`auto busy = c.watch.busy();`) around
// the statements, and report c.verdict_or(...) when a statement fails with a lost connection.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "warehouse/server_watch.h"

namespace ccetl::warehouse {

struct WatchedConnection {
  explicit WatchedConnection(const std::string& dsn) : conn(dsn), watch(dsn, conn.sock()) {}
  // Why the connection was lost: the watch's verdict when it shut it down, else `fallback`.
  std::string verdict_or(const std::string& fallback) const {
    auto v = watch.verdict();
    return v ? *v : fallback;
  }
  pqxx::connection conn;
  ServerWatch watch;  // declared after conn: destroyed before it closes the socket
};

}  // namespace ccetl::warehouse
