// The one error type that crosses layer boundaries. Library exceptions (libpqxx, yaml-cpp,
// simdjson, Beast) are caught inside the adapter that calls them and rethrown as ccetl::Error,
// whose kind decides what the caller does next.
#pragma once

#include <stdexcept>
#include <string>

namespace ccetl {

enum class ErrorKind {
  Transient,  // may succeed if retried: 5xx, 429, timeouts, resets, truncated bodies, DB restarts
  Permanent,  // will fail the same way again: 400/401/403/404/405/415, refused TLS, bad SQL
  Config,     // the configuration is wrong; nothing was attempted
  Data,       // the source sent something we cannot load (malformed page, changed fields, ...)
};

std::string_view to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  bool retryable() const { return kind_ == ErrorKind::Transient; }

 private:
  ErrorKind kind_;
};

}  // namespace ccetl
