// Typed rendering of single values into PostgreSQL COPY text, shared by the JSON and CSV decoders.
// Every renderer appends the COPY-ready text to `out` and returns nullptr, or returns the reject
// reason (a string literal) and leaves `out` unchanged.
#pragma once

#include <string>
#include <string_view>

#include "core/json_string.h"

namespace ccetl::package_detail {

// Integer: an optional sign and digits; an integral number written as a decimal fraction or with
// an exponent (3.0, 1e3) is accepted too. Reasons: "not an integer", "out of range".
const char* render_integer(std::string_view text, std::string& out);

// Double: a decimal number (JSON syntax, optional leading '+'); rendered shortest-round-trip.
// Reasons: "not a number", "out of range", "not a finite number".
const char* render_double(std::string_view text, std::string& out);

// Boolean: true/false/yes/no/1/0, case-insensitive, rendered t/f. Reason: "not a boolean".
const char* render_boolean(std::string_view text, std::string& out);

// Date: ISO 8601 YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM[:SS[.fraction]], and
// then optionally 'Z' or ±HH[:MM] / ±HHMM. Rendered "YYYY-MM-DD[ HH:MM:SS[.fraction]]"; a value
// with an offset is rendered as the instant it names, in UTC, with "+00:00" (10:00-07:00 becomes
// "17:00:00+00:00"), so a `timestamp` column holds its UTC time and a `timestamptz` column the
// instant (docs/warehouse.md, "Dates").
// Reasons: "not a date" (syntax), "invalid date" (calendar or clock values out of range).
const char* render_date(std::string_view text, std::string& out);

// Strings with a NUL byte cannot be stored in PostgreSQL text. Reason: "contains NUL byte".
const char* render_string(std::string_view text, std::string& out);

// append_copy_escaped() that stops at a NUL byte: false, and `out` unchanged, when there is one.
bool append_copy_escaped_unless_nul(std::string& out, std::string_view value);

// Quoted JSON strings (NUL as U+FFFD on request): the shared writer of core/json_string.h.
using ccetl::append_json_string;

// Reject.raw_value form: truncated to 1 KiB on a UTF-8 boundary, NUL bytes shown as \0.
std::string reject_raw_value(std::string_view text);

// Strips JSON insignificant whitespace from the end (simdjson's raw tokens carry it).
std::string_view trim_json_ws(std::string_view text);

// True when `text` is exactly one JSON number (RFC 8259 grammar).
bool is_json_number(std::string_view text);

}  // namespace ccetl::package_detail
