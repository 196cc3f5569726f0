// Bounded waits for every libpq connection ccetl opens: a database that accepts connections and
// then says nothing, or a host that vanishes mid-statement, must fail a run, not hang it.
//
// with_connection_defaults() returns the DSN with these settings added where the DSN (or the
// matching PG* environment variable) sets none:
//   connect_timeout=10          the whole connection set-up, per host address
//   keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3
//                               a peer that stops answering TCP is noticed within ~1 min
//   tcp_user_timeout=60000      data unacknowledged for 60 s fails the connection
// and, when `statement_timeout` is given, `-c statement_timeout=<ms>` appended to `options`
// (server side: bounds every statement of ccetl's sessions, merges included).
// The result is a keyword=value string (a URI is converted). A DSN libpq cannot parse is
// returned unchanged (connecting reports the problem). Unix-socket connections ignore the TCP
// settings.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ccetl::warehouse {

inline constexpr int kDefaultConnectTimeoutSeconds = 10;

std::string with_connection_defaults(const std::string& dsn,
                                     std::optional<std::chrono::seconds> statement_timeout = std::nullopt);

}  // namespace ccetl::warehouse
