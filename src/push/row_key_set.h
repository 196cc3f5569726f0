// The row keys a push run has seen, for telling a repeated key in the query result from a new
// one. Holds 128 bits of each key's SHA-256 rather than the key, so a run over a million rows
// keeps a few tens of MB here at most, whatever the keys' length; two different keys sharing 128
// bits of SHA-256 is not a practical concern.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>

#include "push/sha256.h"

namespace ccetl::push {

class RowKeySet {
 public:
  // True when `row_key` was not in the set (and now is).
  bool insert(const std::string& row_key) {
    std::string hex = sha256_hex(row_key);
    Digest d{std::stoull(hex.substr(0, 16), nullptr, 16), std::stoull(hex.substr(16, 16), nullptr, 16)};
    return digests_.insert(d).second;
  }

 private:
  struct Digest {
    uint64_t high, low;
    bool operator==(const Digest& o) const { return high == o.high && low == o.low; }
  };
  struct DigestHash {
    size_t operator()(const Digest& d) const { return static_cast<size_t>(d.high ^ (d.low * 0x9E3779B97F4A7C15ull)); }
  };
  std::unordered_set<Digest, DigestHash> digests_;
};

}  // namespace ccetl::push
