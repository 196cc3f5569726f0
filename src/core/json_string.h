// The one JSON string writer: logging, `ccetl status --json`, push bodies, the data-package
// decoder and the simulator all quote text through it, so every JSON ccetl writes escapes alike.
#pragma once

#include <string>
#include <string_view>

namespace ccetl {

// Appends `text` as a quoted JSON string (RFC 8259): '"', '\\' and control characters escaped
// (\n, \r, \t, \b, \f, else \u00XX); every other byte, UTF-8 included, passes through as is, so
// the caller passes valid UTF-8 when the reader needs it. With `nul_as_replacement`, NUL becomes
// U+FFFD (PostgreSQL's jsonb rejects \u0000); otherwise it is written \u0000.
void append_json_string(std::string& out, std::string_view text, bool nul_as_replacement = false);
// The same as a new string.
std::string json_string(std::string_view text);

}  // namespace ccetl
