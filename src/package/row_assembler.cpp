#include "package/row_assembler.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "package/decoder.h"
#include "package/value_text.h"

namespace ccetl::package_detail {

void RowAssembler::begin_page(const DecodeOptions& options, DecodedPage& out, int64_t first_seq) {
  options_ = &options;
  out_ = &out;
  out.clear();
  first_seq_ = first_seq;
  seq_ = first_seq;
  multi_keys_.clear();
  name_counts_.clear();
  key_ordinals_.clear();
  slots_.clear();
  cells_done_ = 0;
}

void RowAssembler::add_field(Field field) {
  int& count = name_counts_[field.name];
  ++count;
  std::string key;
  if (count == 1) {
    append_json_string(key, field.name, true);
  } else {
    append_json_string(key, field.name + "#" + std::to_string(count), true);
  }
  key.push_back(':');
  multi_keys_.push_back(std::move(key));
  out_->fields.push_back(std::move(field));
  slots_.emplace_back();
}

void RowAssembler::resolve_keys() {
  key_ordinals_.clear();
  for (const std::string& name : options_->key_fields) {
    size_t found = out_->fields.size();
    for (size_t i = 0; i < out_->fields.size(); ++i) {
      if (out_->fields[i].name == name) {
        found = i;
        break;
      }
    }
    if (found == out_->fields.size()) {
      std::string list;
      for (const Field& f : out_->fields) {
        if (!list.empty()) list += ", ";
        list += f.name;
      }
      throw Error(ErrorKind::Data, "key field '" + name + "' is not among the package's fields: " +
                                       (list.empty() ? std::string("(none)") : list));
    }
    key_ordinals_.push_back(found);
  }
}

void RowAssembler::begin_row() {
  seq_ = first_seq_ + out_->rows_read;
  ++out_->rows_read;
  row_buf_.clear();
  multi_buf_.clear();
  for (Slot& s : slots_) s.set = false;
  cells_done_ = 0;
}

void RowAssembler::end_cell(size_t ordinal, size_t start, bool is_null) {
  Slot& s = slots_[ordinal];
  s.set = true;
  s.null = is_null;
  if (is_null) {
    row_buf_.resize(start);
  } else {
    s.offset = static_cast<uint32_t>(start);
    s.length = static_cast<uint32_t>(row_buf_.size() - start);
  }
  ++cells_done_;
}

void RowAssembler::begin_multi(size_t ordinal) {
  multi_buf_.push_back(multi_buf_.empty() ? '{' : ',');
  multi_buf_.append(multi_keys_[ordinal]);
  multi_buf_.push_back('[');
}

void RowAssembler::reject(std::string_view field, std::string_view raw_value,
                          std::string_view reason) {
  Reject r;
  r.row_seq = seq_;
  r.field = std::string(field);
  r.raw_value = reject_raw_value(raw_value);
  r.reason = std::string(reason);
  out_->rejects.push_back(std::move(r));
}

RowDigest RowAssembler::row_digest(std::string_view key_raw) {
  // Cells are COPY-escaped (no raw tab or newline inside), so tabs and the newline before
  // `key_raw` keep the parts apart.
  digest_buf_.clear();
  for (const Slot& s : slots_) {
    if (s.null)
      digest_buf_.append("\\N", 2);
    else
      digest_buf_.append(row_buf_, s.offset, s.length);
    digest_buf_.push_back('\t');
  }
  digest_buf_.append(multi_buf_);
  digest_buf_.push_back('\n');
  digest_buf_.append(key_raw);
  const XXH128_hash_t h = XXH3_128bits(digest_buf_.data(), digest_buf_.size());
  return RowDigest{h.high64, h.low64};
}

void RowAssembler::end_row() {
  // A key cell that is missing, NULL or empty ("" in JSON `values`, a quoted "" in CSV) cannot
  // identify a row: loading it would collapse every such row into one.
  // One reject per row: the row is not loaded, so its value rejects (all at the end of the
  // list) give way to one naming the key field, which keeps a rejected key value's raw text.
  for (size_t k : key_ordinals_) {
    if (slots_[k].null || slots_[k].length == 0) {
      const std::string& name = out_->fields[k].name;
      const std::string reason =
          std::string(slots_[k].null ? "missing" : "empty") + " key field '" + name + "'";
      auto& rejects = out_->rejects;
      size_t first = rejects.size();
      while (first > 0 && rejects[first - 1].row_seq == seq_) --first;
      auto bad_key = std::find_if(rejects.begin() + static_cast<std::ptrdiff_t>(first), rejects.end(),
                                  [&](const Reject& r) { return r.field == name; });
      if (bad_key != rejects.end()) {
        Reject row = std::move(*bad_key);
        row.reason = reason + ": " + row.reason;
        rejects.resize(first);
        rejects.push_back(std::move(row));
      } else {
        rejects.resize(first);
        reject(name, "", reason);
      }
      out_->key_reject_rows.push_back(row_digest(rejects.back().raw_value));
      ++out_->key_rejects;
      return;
    }
  }
  std::string& text = out_->copy_text;
  if (options_->with_seq) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, seq_);
    text.append(buf, ptr);
    text.push_back('\t');
  }
  text.append(options_->row_prefix);
  const char* row = row_buf_.data();
  for (const Slot& s : slots_) {
    if (s.null)
      text.append("\\N", 2);
    else
      text.append(row + s.offset, s.length);
    text.push_back('\t');
  }
  if (multi_buf_.empty()) {
    text.append("\\N", 2);
  } else {
    multi_buf_.push_back('}');
    append_copy_escaped(text, multi_buf_);
  }
  text.push_back('\n');
  ++out_->rows_emitted;
}

}  // namespace ccetl::package_detail
