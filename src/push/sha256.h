// SHA-256 for payload hashes (OpenSSL EVP stays behind this header).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ccetl::push {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Lowercase hex SHA-256 of the file at `path`, read in chunks (memory stays flat whatever its
// size). Sets `size` to the bytes read. Throws Error(Data) when the file cannot be read.
std::string sha256_file_hex(const std::string& path, uint64_t& size);

}  // namespace ccetl::push
