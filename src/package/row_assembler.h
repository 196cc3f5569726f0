// Builds the COPY text lines of one DecodedPage, cell by cell, for every decoder.
// Cells may arrive in any order; each is rendered (already COPY-escaped) into a row buffer and
// the line is assembled in field order when the row ends. Buffers are reused across rows and
// pages, so the steady state allocates nothing per cell.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "package/decoded_page.h"

namespace ccetl::package_detail {

class RowAssembler {
 public:
  // Starts a page: clears `out`, which receives fields, lines and rejects until the next begin.
  void begin_page(const DecodeOptions& options, DecodedPage& out, int64_t first_seq);

  // Adds a field (in ordinal order). Also prepares its _multi_values key: the field's name,
  // or for the n-th repeat of a name "<name>#n" so the JSON object keeps distinct keys.
  void add_field(Field field);
  size_t field_count() const { return out_->fields.size(); }
  const Field& field(size_t ordinal) const { return out_->fields[ordinal]; }

  // Resolves options.key_fields to ordinals. Throws Error(Data) naming the available fields.
  void resolve_keys();

  // Row protocol: begin_row, then for each cell: text appended to cell_text() from
  // cell_start(), then end_cell(); finally end_row().
  void begin_row();
  int64_t row_seq() const { return seq_; }
  int64_t row_number() const { return out_->rows_read; }  // 1-based within the page
  std::string& cell_text() { return row_buf_; }
  size_t cell_start() const { return row_buf_.size(); }
  bool cell_taken(size_t ordinal) const { return slots_[ordinal].set; }
  // Completes the cell of `ordinal` with the text from `start` to the end of cell_text(), or
  // as NULL (the text from `start` on is discarded).
  void end_cell(size_t ordinal, size_t start, bool is_null);

  // _multi_values members: begin_multi(ordinal) writes `"key":[`; the caller appends the
  // JSON strings (comma separated) and a closing ']'.
  std::string& multi_text() { return multi_buf_; }
  void begin_multi(size_t ordinal);

  void reject(std::string_view field, std::string_view raw_value, std::string_view reason);

  // Ends the row: appends its line unless a key cell is NULL (then records a Reject).
  // Requires every cell to have been completed.
  void end_row();

  size_t cells_completed() const { return cells_done_; }

 private:
  // The digest of the current row (DecodedPage::key_reject_rows): its cells in field order as
  // they would be copied, _multi_values and `key_raw`, the rejected key's raw text.
  RowDigest row_digest(std::string_view key_raw);

  struct Slot {
    uint32_t offset = 0;
    uint32_t length = 0;
    bool set = false;
    bool null = true;
  };

  const DecodeOptions* options_ = nullptr;
  DecodedPage* out_ = nullptr;
  int64_t first_seq_ = 0;
  int64_t seq_ = 0;
  std::vector<std::string> multi_keys_;  // `"name":` as JSON text
  std::unordered_map<std::string, int> name_counts_;
  std::vector<size_t> key_ordinals_;
  std::vector<Slot> slots_;
  size_t cells_done_ = 0;
  std::string row_buf_;
  std::string multi_buf_;
  std::string digest_buf_;
};

}  // namespace ccetl::package_detail
