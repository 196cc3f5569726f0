// SHA-256 for payload hashes (OpenSSL EVP stays behind this header).
#pragma once

#include <string>
#include <string_view>

namespace ccetl::push {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace ccetl::push
