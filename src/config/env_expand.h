// `${VAR}` / `${VAR:-default}` expansion of config scalars.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace ccetl {

struct ExpandResult {
  std::string value;
  std::string error;  // non-empty on failure; names the variable, never its value
  std::string unset_variable;  // the failure is this variable being unset (no default given)
  bool ok() const { return error.empty(); }
};

// Expands `text`:
//   ${NAME}          the variable's value; an error when unset
//   ${NAME:-default} the value, or `default` (literal) when unset or empty
//   $$               a literal '$'
// A '$' followed by anything else is kept as is. NAME is [A-Za-z_][A-Za-z0-9_]*.
ExpandResult expand_env(const std::string& text, const EnvLookup& env);

}  // namespace ccetl
