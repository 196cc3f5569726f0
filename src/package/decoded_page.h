// The decoders' output: one page of rows, already rendered in PostgreSQL COPY text format so
// that the loader copies bytes without looking at cells.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace ccetl {

// The `paging` object of a data package. Record lookups and CSV pages have none (present=false).
struct Paging {
  bool present = false;
  int64_t current_page = 0;
  int64_t total_pages = 0;
  int64_t results_per_page = 0;
  int64_t total_results = 0;
};

// A 128-bit content digest (XXH3-128) of one decoded row: its cells as rendered, NULLs marked,
// _multi_values, and the raw text of a rejected key value. Two reads of the same source row
// (a row repeated across a page boundary) have equal digests; so do two distinct rows with
// identical content, which is why a count of distinct digests can only fall short of the rows
// read, never exceed it.
struct RowDigest {
  uint64_t high = 0;
  uint64_t low = 0;
  friend bool operator==(const RowDigest&, const RowDigest&) = default;
  friend auto operator<=>(const RowDigest&, const RowDigest&) = default;
};

// Options fixed for a whole run.
struct DecodeOptions {
  // Fields whose cells form the row key. A row whose key cell is missing, NULL, rejected or the
  // empty string is not emitted; it becomes a Reject with reason "missing key field 'X'" (or
  // "empty key field 'X'"; "missing key field 'X': <why>" when the key value itself was rejected)
  // and is counted in DecodedPage::key_rejects. Such a row has exactly one Reject. A key field
  // that is not among the page's fields is an Error(Data).
  std::vector<std::string> key_fields;
  // Text placed after `_seq` on every row, already COPY-escaped, each column followed by '\t'
  // (fan-out jobs put the project key there). Empty for most jobs.
  std::string row_prefix;
  // Whether each line starts with `_seq`. A load that goes through staging needs it (the merge
  // keeps the last of duplicate keys by `_seq`); a first load straight into a new table does not
  // (COPY order decides there).
  bool with_seq = true;
};

// One decoded page.
//
// Each line of `copy_text` is, tab-separated and COPY-escaped:
//   _seq  <row_prefix columns>  <one column per entry of `fields`, in that order>  _multi_values
// `_seq` numbers rows run-wide starting at the `first_seq` given to the decoder; later rows win
// over earlier ones with the same key. A cell with no values is \N. A cell with one value holds
// that value. A cell with several values holds, for string fields, the API's computedValue (or
// the values joined with ", " when that is empty) and for other types its first value; in every
// case `_multi_values` holds a JSON object {"<field name>": [all values]} for all such cells of
// the row, or \N when the row has none. Values that do not fit their type are \N and a Reject.
struct DecodedPage {
  Paging paging;
  std::vector<Field> fields;
  std::string copy_text;
  int64_t rows_emitted = 0;  // lines in copy_text
  int64_t rows_read = 0;     // rows present in the page, rejected ones included
  int64_t key_rejects = 0;   // rows not emitted because a key cell was missing, NULL or empty
  // One digest per row counted in key_rejects, in row order: what lets a run count the distinct
  // rows rejected for a bad key when a shifting package serves one twice.
  std::vector<RowDigest> key_reject_rows;
  std::vector<Reject> rejects;

  void clear();
};

}  // namespace ccetl
