// The deterministic pieces synthetic rows are made of: the hash functions, and the text of one
// value computed from its hash. Both renderers of synthetic rows (SyntheticTable::make_row for
// Rows, synthetic_json.h straight to page JSON) take their values from here, so they agree.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ccetl::sim {

uint64_t splitmix(uint64_t x);
uint64_t mix_hash(uint64_t a, uint64_t b, uint64_t c = 0, uint64_t d = 0);
// A hash mapped uniformly into [0, 1).
double unit(uint64_t h);

// How a field's values are generated. Any data type other than the four named ones is a string.
enum class ValueKind { String, Integer, Double, Date, Boolean };
ValueKind value_kind(std::string_view data_type);
// Integer, Double and Boolean values are written in JSON as bare numbers/literals, the others as
// strings (the rule make_cell applies to every data type).
bool json_quoted(ValueKind kind);

// How a value's text is appended: as is, or JSON-escaped (without the surrounding quotes).
// The two differ only for strings; numbers, dates and booleans never need escaping.
enum class TextForm { Plain, JsonEscaped };

// Appends the text of the value generated from hash `h` (strings are ~200 characters of words,
// with non-ASCII words only when `unicode`).
void append_value(ValueKind kind, uint64_t h, bool unicode, TextForm form, std::string& out);
std::string make_value(ValueKind kind, uint64_t h, bool unicode);

// Appends the ID of raw row `r` (0-based): "ROW-" and r + 1 with at least 7 digits.
void append_row_id(uint64_t r, std::string& out);

}  // namespace ccetl::sim
