// text/csv pages: RFC 4180 with the usual liberties (LF or CRLF line ends, a UTF-8 BOM).
// Every field is a string. An unquoted empty cell is NULL; a quoted empty cell ("") is the empty
// string, as PostgreSQL's own CSV reader has it. Empty lines are skipped. Errors name the line
// (1-based, counting physical lines, so a record with embedded newlines spans several).
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "package/decoder.h"
#include "package/decoder_impl.h"
#include "package/value_text.h"

namespace ccetl {
namespace {

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorKind::Data, message); }

struct CsvCell {
  std::string_view text;  // into the body, or into the unquoted scratch (see `quoted`)
  size_t scratch_offset = 0;
  size_t scratch_length = 0;
  bool quoted = false;
};

class CsvReader {
 public:
  CsvReader(std::string_view body, std::string& scratch) : body_(body), scratch_(scratch) {
    if (body_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  bool at_end() const { return pos_ >= body_.size(); }
  size_t line() const { return line_; }

  // Reads one record into `cells`; false at the end of the body. Empty lines yield no cells.
  bool next(std::vector<CsvCell>& cells) {
    cells.clear();
    scratch_.clear();
    if (at_end()) return false;
    record_line_ = line_;
    if (body_[pos_] == '\n' || body_[pos_] == '\r') {  // empty line
      end_line();
      return true;
    }
    while (true) {
      CsvCell cell;
      if (pos_ < body_.size() && body_[pos_] == '"') {
        cell.quoted = true;
        cell.scratch_offset = scratch_.size();
        ++pos_;
        while (true) {
          if (pos_ >= body_.size()) fail("line " + std::to_string(record_line_) + ": unterminated quoted field");
          const char c = body_[pos_++];
          if (c == '"') {
            if (pos_ < body_.size() && body_[pos_] == '"') {
              scratch_.push_back('"');
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          scratch_.push_back(c);
        }
        cell.scratch_length = scratch_.size() - cell.scratch_offset;
        if (pos_ < body_.size() && body_[pos_] != ',' && body_[pos_] != '\n' && body_[pos_] != '\r')
          fail("line " + std::to_string(line_) + ": text after the closing quote of a field");
      } else {
        const size_t start = pos_;
        while (pos_ < body_.size() && body_[pos_] != ',' && body_[pos_] != '\n' && body_[pos_] != '\r') {
          if (body_[pos_] == '"') fail("line " + std::to_string(line_) + ": quote inside an unquoted field");
          ++pos_;
        }
        cell.text = body_.substr(start, pos_ - start);
      }
      cells.push_back(cell);
      if (pos_ >= body_.size()) break;
      if (body_[pos_] == ',') {
        ++pos_;
        continue;
      }
      end_line();
      break;
    }
    // Quoted cells point into the scratch buffer, which may have moved while growing.
    for (CsvCell& c : cells)
      if (c.quoted) c.text = std::string_view(scratch_).substr(c.scratch_offset, c.scratch_length);
    return true;
  }

  size_t record_line() const { return record_line_; }

 private:
  void end_line() {
    if (body_[pos_] == '\r') {
      ++pos_;
      if (pos_ < body_.size() && body_[pos_] == '\n') ++pos_;
    } else {
      ++pos_;
    }
    ++line_;
  }

  std::string_view body_;
  std::string& scratch_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t record_line_ = 1;
};

}  // namespace

void Decoder::decode_csv(std::string_view body, const DecodeOptions& options, int64_t first_seq,
                         DecodedPage& out) {
  package_detail::RowAssembler& rows = impl_->rows;
  rows.begin_page(options, out, first_seq);
  try {
    if (body.size() > impl_->max_page_bytes)
      fail("page of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
           std::to_string(impl_->max_page_bytes) + " bytes");
    if (!simdjson::validate_utf8(body.data(), body.size())) fail("CSV body is not valid UTF-8");
    CsvReader reader(body, impl_->csv_cell);
    std::vector<CsvCell> cells;
    // Header: the first non-empty record.
    bool have_header = false;
    while (reader.next(cells)) {
      if (cells.empty()) continue;
      for (size_t i = 0; i < cells.size(); ++i) {
        Field f;
        f.name = std::string(cells[i].text);
        f.type = DataType::String;
        rows.add_field(std::move(f));
      }
      have_header = true;
      break;
    }
    if (!have_header) fail("empty CSV body (no header line)");
    rows.resolve_keys();
    const size_t nfields = rows.field_count();
    while (reader.next(cells)) {
      if (cells.empty()) continue;
      if (cells.size() != nfields)
        fail("line " + std::to_string(reader.record_line()) + ": " + std::to_string(cells.size()) +
             " cells but the header has " + std::to_string(nfields));
      rows.begin_row();
      for (size_t i = 0; i < nfields; ++i) {
        const CsvCell& cell = cells[i];
        const size_t start = rows.cell_start();
        if (cell.text.empty() && !cell.quoted) {
          rows.end_cell(i, start, true);
          continue;
        }
        if (const char* reason = package_detail::render_string(cell.text, rows.cell_text())) {
          rows.reject(rows.field(i).name, cell.text, reason);
          rows.end_cell(i, start, true);
        } else {
          rows.end_cell(i, start, false);
        }
      }
      rows.end_row();
    }
  } catch (...) {
    out.clear();
    throw;
  }
}

}  // namespace ccetl
