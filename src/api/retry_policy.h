// Pure decisions of the client's retry loop, kept apart from the I/O so they can be tested
// directly: which answers are retried, how long to back off, when a rate window resets.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace ccetl::api {

enum class StatusClass { Success, Retry, Throttled, Permanent };

// 2xx Success; 429 Throttled; 5xx and 408 Retry; everything else (400/401/403/404/405/415,
// other 4xx, unexpected 1xx/3xx since we follow no redirects) Permanent.
StatusClass classify_status(int status);

// Upper bound of the backoff before retry number `retry` (1 for the first retry):
// min(max, base * 2^(retry-1)).
std::chrono::milliseconds backoff_cap(int retry, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

// "Full jitter": a uniform draw in [0, backoff_cap(...)].
std::chrono::milliseconds backoff_delay(int retry, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, std::mt19937_64& rng);

// Parses an ISO 8601 UTC date time as sent in X-Rate-Limit-Reset: "2026-11-29T01:02:03Z",
// optional fraction ("…03.456Z"), 'Z' or a ±hh:mm / ±hhmm offset, or no zone (taken as UTC).
// nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text);

// Parses a non-negative integer header value (X-Rate-Limit-Remaining, Retry-After seconds).
std::optional<long long> parse_count(std::string_view text);

}  // namespace ccetl::api
