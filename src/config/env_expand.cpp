#include "config/env_expand.h"

#include <cctype>

namespace ccetl {
namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

ExpandResult expand_env(const std::string& text, const EnvLookup& env) {
  ExpandResult result;
  std::string& out = result.value;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out += '$';
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      result.error = "unterminated '${' (expected ${NAME} or ${NAME:-default}; write $$ for a literal $)";
      return result;
    }
    std::string inner = text.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (size_t sep = inner.find(":-"); sep != std::string::npos) {
      fallback = inner.substr(sep + 2);
      inner.resize(sep);
    }
    if (!valid_name(inner)) {
      result.error = "invalid variable reference '${" + inner + "}' (names are letters, digits and _)";
      return result;
    }
    std::optional<std::string> value = env ? env(inner) : std::nullopt;
    if (fallback && (!value || value->empty())) value = fallback;
    if (!value) {
      result.unset_variable = inner;
      result.error = "environment variable " + inner + " is not set (use ${" + inner +
                     ":-default} to give a default)";
      return result;
    }
    out += *value;
    i = close;
  }
  return result;
}

}  // namespace ccetl
