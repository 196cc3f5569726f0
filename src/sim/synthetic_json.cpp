#include "sim/synthetic_json.h"

#include <vector>

#include "sim/json_writer.h"

namespace ccetl::sim {
namespace {

// What every cell of one column shares.
struct Column {
  std::string prefix;  // the cell's JSON up to the opening quote of computedValue
  ValueKind kind = ValueKind::String;
  bool quoted = true;  // values are JSON strings (else bare numbers/literals)
};

Column make_column(size_t ordinal, const std::string& data_type, ValueKind kind) {
  Column col;
  col.prefix = "{\"fieldOrdinal\":" + std::to_string(ordinal) + ",\"dataType\":";
  append_json_string(col.prefix, data_type);
  col.prefix += ",\"computedValue\":\"";
  col.kind = kind;
  col.quoted = json_quoted(kind);
  return col;
}

// Appends a cell of `col` whose values have the (JSON-escaped) texts texts[0..n). computedValue
// is the texts joined with ", " (escaping commutes with joining: ", " needs none).
void append_cell(const Column& col, const std::vector<std::string>& texts, int n, std::string& out) {
  out += col.prefix;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += texts[i];
  }
  out += "\",\"values\":[";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out.push_back(',');
    if (col.quoted) out.push_back('"');
    out += texts[i];
    if (col.quoted) out.push_back('"');
  }
  out += "]}";
}

// Writes rows of one table, as make_row + make_cell + render_page_json would.
class RowWriter {
 public:
  explicit RowWriter(const SyntheticTable& table) : table_(table), texts_(1) {
    const auto& fields = table.fields();
    for (size_t c = 0; c < fields.size(); ++c) columns_.push_back(make_column(c, fields[c].data_type, table.kinds()[c]));
  }

  // A generous guess at a row's size, so that a page is usually written without regrowing.
  size_t estimated_row_size() const {
    size_t n = 2;
    for (const Column& col : columns_) n += col.prefix.size() + 20 + (col.kind == ValueKind::String ? 2 * 220 : 2 * 20);
    return n;
  }

  void append_row(uint64_t r, std::string& out) {
    out.push_back('[');
    texts_[0].clear();
    append_row_id(r, texts_[0]);
    append_cell(columns_[0], texts_, 1, out);
    uint64_t version = table_.content_version(r);
    for (size_t c = 1; c < columns_.size(); ++c) {
      SyntheticTable::CellValues cell = table_.cell_values(r, version, c);
      if (texts_.size() < static_cast<size_t>(cell.count)) texts_.resize(cell.count);
      for (int i = 0; i < cell.count; ++i) {
        texts_[i].clear();
        append_value(columns_[c].kind, cell.value_hash(i), table_.spec().unicode, TextForm::JsonEscaped, texts_[i]);
      }
      out.push_back(',');
      append_cell(columns_[c], texts_, cell.count, out);
    }
    out.push_back(']');
  }

 private:
  const SyntheticTable& table_;
  std::vector<Column> columns_;
  std::vector<std::string> texts_;  // the current cell's value texts, reused from cell to cell
};

}  // namespace

void append_synthetic_rows_json(const SyntheticTable& table, uint64_t start, uint64_t count, std::string& out) {
  std::vector<uint64_t> rows = table.surviving_rows(start, count);
  RowWriter writer(table);
  out.reserve(out.size() + rows.size() * writer.estimated_row_size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    writer.append_row(rows[i], out);
  }
}

}  // namespace ccetl::sim
