// The content hash of a staged row: what lets a resync skip unchanged rows without comparing
// their columns and without touching them (no row lock, no WAL, xmin unchanged).
//
// Contract: `_row_hash` of a row is XXH3-128 of its COPY line without `_seq` (project_key, the
// copied fields, _multi_values, exactly as the decoder rendered them), seeded by
// row_hash_seed(): the columns the line carries, their SQL types and the job's time zone. So
// two rows with equal hashes were loaded from the same text into the same columns, typed the
// same way: the same content (barring a 128-bit collision). The converse does not hold (the
// same content can come from a different text, e.g. after a column was widened, or a table
// from before the hash has NULL): such rows reach the exact column comparison of the merge,
// which then stores the new hash without counting the row as changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "warehouse/schema_plan.h"

namespace ccetl::warehouse {

// The seed for lines carrying `field_indexes` (positions in plan.schema.columns, line order).
uint64_t row_hash_seed(const TablePlan& plan, const std::vector<std::size_t>& field_indexes,
                       const std::string& time_zone);

// One line of a page: [begin, begin + size) without its '\n', and its hash as 32 hex digits
// (uuid input).
struct HashedLine {
  std::size_t begin = 0;
  std::size_t size = 0;
  char hex[32];
};

// Splits `copy_text` (COPY text, '\n'-terminated lines) into lines and hashes each. With
// `skip_seq` the line's first column (_seq) is left out of the hash.
void hash_lines(std::string_view copy_text, bool skip_seq, uint64_t seed,
                std::vector<HashedLine>& out);

// Appends the line, a tab and its hash, then `suffix` and '\n'.
void append_hashed_line(std::string_view copy_text, const HashedLine& line, std::string_view suffix,
                        std::string& out);

// The columns (0-based, _seq included) of a staged line's key, and how many columns it has.
struct LineLayout {
  std::vector<std::size_t> key_columns;
  std::size_t columns = 0;
};
LineLayout staged_layout(const TablePlan& plan, const std::vector<std::size_t>& field_indexes);

// The key values of a line, COPY escapes undone (keys are never NULL). Empty when the line does
// not have layout.columns columns.
std::vector<std::string> line_keys(std::string_view line, const LineLayout& layout);

// Appends a marker for an unchanged line: its _seq and key columns as they are, every other
// column NULL, then its hash and `t` (_same) and '\n'. The merge keeps markers out of the table
// (they only stand for "this key was read, unchanged") while deduplication and deletes see them.
void append_marker_line(std::string_view copy_text, const HashedLine& line,
                        const LineLayout& layout, std::string& out);

}  // namespace ccetl::warehouse
