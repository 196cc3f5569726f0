// Turns Centercode response bodies into DecodedPage rows (simdjson On-Demand for JSON).
// One decoder per thread: it owns a reusable simdjson parser whose buffers grow to the largest
// page and are capped at `max_page_bytes`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "package/decoded_page.h"

namespace ccetl {

// Decisions the contract in decoded_page.h leaves open (tests/package pins each one):
// - Values: integer accepts JSON integers, integral numbers (3.0, 1e3) and strings holding one;
//   double renders the shortest round-trip text; boolean takes true/false/yes/no/1/0 in any case
//   (JSON booleans, strings or 1/0); date takes ISO 8601 date[(T| )HH:MM[:SS[.f]]][Z|±HH[:MM]]
//   and renders "YYYY-MM-DD[ HH:MM:SS[.f][+00:00]]" (a value with an offset as its UTC instant). Reject reasons: "not an integer",
//   "out of range", "not a number", "not a finite number", "not a boolean", "not a date",
//   "invalid date", "contains NUL byte", "nested JSON value in `values`",
//   "invalid string escape (such as a lone surrogate)".
// - Reject.raw_value is the JSON token as received (strings quoted and JSON-escaped).
// - `values: null`, `values: []` and a missing `values` are a NULL cell without a reject; null
//   elements inside `values` are ignored. An array/object element, or a string with a bad escape,
//   makes the cell NULL with one reject (listed as null in _multi_values).
// - _multi_values lists values as JSON strings ("3" for the number 3); NUL becomes U+FFFD there
//   (jsonb refuses \u0000). A repeated field name is keyed "<name>#2", "<name>#3", ...
// - A multi-valued string cell whose computedValue is missing, empty or badly escaped shows the
//   values joined with ", ". Only the first value of a multi-valued typed cell is validated.
// - A cell without fieldOrdinal takes its position in the row. `paging` needs all four integers;
//   totalPages above ceil(totalResults / resultsPerPage) + 1 is an error; currentPage beyond
//   totalPages is accepted (a page past the end).
// - Record lookups: with both `name` and `field`, the first one names the column; an empty
//   `data` array yields one row with no field columns.
// - CSV: an unquoted empty cell is NULL, a quoted empty cell ("") the empty string; empty lines
//   are skipped; an empty body is an Error (no header). The body must be valid UTF-8.
// - Invalid UTF-8 anywhere in a JSON body, and malformed JSON, are an Error(Data).
class Decoder {
 public:
  explicit Decoder(size_t max_page_bytes = 256u << 20);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes a data-package page. `body` is parsed in place when its capacity leaves
  // SIMDJSON_PADDING spare bytes (reserve size + 64); otherwise it is copied once.
  // Rows are numbered from `first_seq`. Throws Error(Data) describing what is wrong with the page
  // (the caller prefixes job and page). The page is decoded completely or not at all.
  void decode_data_package(std::string& body, const DecodeOptions& options, int64_t first_seq,
                           DecodedPage& out);

  // Decodes a record lookup (`data` is one object per field; element names accepted as `name`
  // or `field`). Yields exactly one row.
  void decode_record_lookup(std::string& body, const DecodeOptions& options, int64_t first_seq,
                            DecodedPage& out);

  // Decodes a text/csv page: RFC 4180, first line is the header (field names); every field is
  // typed string; empty cells are NULL.
  void decode_csv(std::string_view body, const DecodeOptions& options, int64_t first_seq,
                  DecodedPage& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends `value` to `out` escaped for COPY text format (\\, \n, \r, \t).
void append_copy_escaped(std::string& out, std::string_view value);

}  // namespace ccetl
