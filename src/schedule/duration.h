// Durations as users write them in config files: "30s", "15m", "6h", "1d", or a sum such as
// "1h30m". Header-only so the config layer can validate durations without linking the schedule
// layer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ccetl {

// Parses one or more <digits><unit> pairs, unit one of s, m, h, d (lowercase). Returns nullopt
// for anything else (empty text, a missing unit, signs, spaces, overflow) and for a zero total.
inline std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  constexpr int64_t kMax = int64_t{1} << 40;  // ~35,000 years: far beyond any sane period
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t number = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > kMax) return std::nullopt;
      ++i;
      ++digits;
    }
    if (digits == 0 || i == text.size()) return std::nullopt;
    int64_t unit = 0;
    switch (text[i]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    ++i;
    total += number * unit;
    if (total > kMax) return std::nullopt;
  }
  if (total == 0) return std::nullopt;
  return std::chrono::seconds{total};
}

}  // namespace ccetl
