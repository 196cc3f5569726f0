#include "warehouse/row_hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace ccetl::warehouse {

uint64_t row_hash_seed(const TablePlan& plan, const std::vector<std::size_t>& field_indexes,
                       const std::string& time_zone) {
  // Each part ends with a NUL (never in a name, a type or a zone), so no two lists join to the
  // same bytes.
  std::string sig = "ccetl.row_hash.v1";
  sig += '\0';
  sig += time_zone;
  sig += '\0';
  if (plan.fan_out) {
    sig += kProjectKey;
    sig += '\0';
  }
  for (std::size_t i : field_indexes) {
    const ColumnInfo& c = plan.schema.columns.at(i);
    sig += c.column_name;
    sig += '\0';
    sig += c.sql_type;
    sig += '\0';
  }
  return XXH3_64bits(sig.data(), sig.size());
}

void hash_lines(std::string_view copy_text, bool skip_seq, uint64_t seed,
                std::vector<HashedLine>& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  const char* base = copy_text.data();
  const char* p = base;
  const char* end = p + copy_text.size();
  while (p < end) {
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!nl) nl = end;  // a last line without its newline: hashed and terminated all the same
    const char* from = p;
    if (skip_seq) {
      const char* tab =
          static_cast<const char*>(std::memchr(p, '\t', static_cast<std::size_t>(nl - p)));
      from = tab ? tab + 1 : nl;
    }
    XXH128_hash_t h = XXH3_128bits_withSeed(from, static_cast<std::size_t>(nl - from), seed);
    HashedLine line;
    line.begin = static_cast<std::size_t>(p - base);
    line.size = static_cast<std::size_t>(nl - p);
    for (int i = 0; i < 16; ++i) {
      line.hex[i] = kHex[(h.high64 >> (60 - 4 * i)) & 0xF];
      line.hex[16 + i] = kHex[(h.low64 >> (60 - 4 * i)) & 0xF];
    }
    out.push_back(line);
    p = nl + 1;
  }
}

void append_hashed_line(std::string_view copy_text, const HashedLine& line, std::string_view suffix,
                        std::string& out) {
  out.append(copy_text.data() + line.begin, line.size);
  out += '\t';
  out.append(line.hex, 32);
  out.append(suffix);
  out += '\n';
}

LineLayout staged_layout(const TablePlan& plan, const std::vector<std::size_t>& field_indexes) {
  LineLayout layout;
  std::size_t col = 1;  // after _seq
  if (plan.fan_out) {
    if (std::find(plan.key_columns.begin(), plan.key_columns.end(), kProjectKey) !=
        plan.key_columns.end())
      layout.key_columns.push_back(col);
    ++col;
  }
  for (const auto& key : plan.key_columns) {
    if (key == kProjectKey) continue;
    for (std::size_t pos = 0; pos < field_indexes.size(); ++pos)
      if (plan.schema.columns.at(field_indexes[pos]).column_name == key)
        layout.key_columns.push_back(col + pos);
  }
  layout.columns = col + field_indexes.size() + 1;  // + _multi_values
  return layout;
}

namespace {

// The columns of a line as [begin, end) offsets into it.
std::vector<std::pair<std::size_t, std::size_t>> split(std::string_view line) {
  std::vector<std::pair<std::size_t, std::size_t>> cols;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == '\t') {
      cols.emplace_back(start, i);
      start = i + 1;
    }
  return cols;
}

std::string unescape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\' || i + 1 == v.size()) {
      out += v[i];
      continue;
    }
    char c = v[++i];
    out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
  }
  return out;
}

}  // namespace

std::vector<std::string> line_keys(std::string_view line, const LineLayout& layout) {
  auto cols = split(line);
  std::vector<std::string> keys;
  if (cols.size() != layout.columns) return keys;
  for (std::size_t k : layout.key_columns)
    keys.push_back(unescape(line.substr(cols[k].first, cols[k].second - cols[k].first)));
  return keys;
}

void append_marker_line(std::string_view copy_text, const HashedLine& line,
                        const LineLayout& layout, std::string& out) {
  std::string_view text = copy_text.substr(line.begin, line.size);
  auto cols = split(text);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (c) out += '\t';
    if (c == 0 || std::find(layout.key_columns.begin(), layout.key_columns.end(), c) !=
                      layout.key_columns.end())
      out.append(text.substr(cols[c].first, cols[c].second - cols[c].first));
    else
      out += "\\N";
  }
  out += '\t';
  out.append(line.hex, 32);
  out += "\tt\n";
}

}  // namespace ccetl::warehouse
