// Turns libpqxx/libpq failures into ccetl::Error. Call from inside a catch block:
//   try { ... } catch (...) { rethrow_db_error("merging rows into " + table, secret); }
// Kinds: broken connection, SQLSTATE classes 08 (connection), 57 (operator intervention, e.g.
// shutdown), 40 (rollback: deadlock/serialization), 53 (insufficient resources) -> Transient;
// classes 22 (data exception) and 23 (integrity) -> Data; anything else -> Permanent.
// `secret` (the DSN's password) is masked in the message. A ccetl::Error passes through.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace ccetl::warehouse {

[[noreturn]] void rethrow_db_error(const std::string& doing, std::string_view secret);

// ErrorKind for a SQLSTATE code (5 characters; empty when unknown).
ErrorKind kind_for_sqlstate(std::string_view sqlstate);

// The password in a libpq connection string (`password=...`) or URI (`user:pw@`); empty if none.
std::string dsn_password(const std::string& dsn);

}  // namespace ccetl::warehouse
