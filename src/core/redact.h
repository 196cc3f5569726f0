// Keeps the API key out of every output. Anything that prints a URL, an error text or a config
// value goes through these first.
#pragma once

#include <string>
#include <string_view>

namespace ccetl {

// Replaces the value of every `apiKey=` query parameter in `text` with "***".
std::string mask_api_key_params(std::string_view text);

// Replaces every occurrence of `secret` (when non-empty) in `text` with "***", and masks apiKey
// parameters. Use on texts that may echo a key back, such as an upstream error body.
std::string redact(std::string_view text, std::string_view secret);

}  // namespace ccetl
