// Offline check of a PostgreSQL connection string, for `ccetl validate`: what libpq itself would
// reject before connecting, found without a network or a database.
#pragma once

#include <optional>
#include <string>

namespace ccetl {

// nullopt when libpq parses `dsn` (a key=value string or a postgresql:// URI, PQconninfoParse)
// and its sslmode, if set, is one libpq knows; otherwise what is wrong. The message never
// contains the DSN's values (a DSN may hold a password): quoted fragments of libpq's message are
// masked, except option names.
std::optional<std::string> dsn_syntax_error(const std::string& dsn);

}  // namespace ccetl
