#include "warehouse/dsn_syntax.h"

#include <libpq-fe.h>

#include <array>
#include <memory>

namespace ccetl {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// libpq quotes the offending text: a token of the key=value string ("missing "=" after "…""),
// or the whole URI ("invalid percent-encoded token: "…""). Either may be part of a password, so
// every quoted fragment longer than one character becomes "***"; one-character fragments are
// the separators libpq names ("=", "]"). Messages about an option name keep it: names are not
// secret, and they show the typo ("invalid connection option "hots"").
std::string masked(const std::string& message) {
  for (const char* names_an_option : {"invalid connection option", "invalid URI query parameter"}) {
    if (message.rfind(names_an_option, 0) == 0) return message;
  }
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t open = message.find('"', i);
    size_t close = open == std::string::npos ? std::string::npos : message.find('"', open + 1);
    if (close == std::string::npos) {
      out += message.substr(i);
      break;
    }
    out += message.substr(i, open + 1 - i);
    out += close - open - 1 > 1 ? "***" : message.substr(open + 1, close - open - 1);
    out += '"';
    i = close + 1;
  }
  return out;
}

struct OptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

}  // namespace

std::optional<std::string> dsn_syntax_error(const std::string& dsn) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsDeleter> options(PQconninfoParse(dsn.c_str(), &error));
  if (!options) {
    std::string message = error ? trimmed(error) : "cannot be parsed (out of memory)";
    if (error) PQfreemem(error);
    return "not a valid libpq connection string or URI: " + masked(message);
  }
  constexpr std::array<const char*, 6> kSslModes = {"disable", "allow", "prefer", "require", "verify-ca",
                                                   "verify-full"};
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (std::string(o->keyword) != "sslmode" || !o->val) continue;
    for (const char* mode : kSslModes) {
      if (mode == std::string(o->val)) return std::nullopt;
    }
    return "sslmode '" + std::string(o->val) +
           "' is not one of disable, allow, prefer, require, verify-ca, verify-full";
  }
  return std::nullopt;
}

}  // namespace ccetl
