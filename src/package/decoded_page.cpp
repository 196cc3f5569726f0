#include "package/decoded_page.h"

#include <cstdint>
#include <cstring>

#include "package/decoder.h"
#include "package/value_text.h"

namespace ccetl {

void DecodedPage::clear() {
  paging = Paging{};
  fields.clear();
  copy_text.clear();  // keeps capacity: pages are decoded into the same object again and again
  rows_emitted = 0;
  rows_read = 0;
  key_rejects = 0;
  key_reject_rows.clear();
  rejects.clear();
}

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// True when some byte of `w` is zero (the classic SWAR test, exact for "any").
inline bool has_zero_byte(uint64_t w) { return ((w - kOnes) & ~w & kHighs) != 0; }
inline bool has_byte(uint64_t w, unsigned char c) { return has_zero_byte(w ^ (kOnes * c)); }

// Whether an 8-byte block needs a closer look: COPY specials, or NUL when `nul` is set.
inline bool block_special(const char* p, bool nul) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return has_byte(w, '\\') || has_byte(w, '\n') || has_byte(w, '\r') || has_byte(w, '\t') ||
         (nul && has_zero_byte(w));
}

// Appends `value` COPY-escaped; with `stop_at_nul`, returns false at a NUL byte (what was
// appended stays; the caller truncates).
bool escape(std::string& out, std::string_view value, bool stop_at_nul) {
  const char* p = value.data();
  const char* end = p + value.size();
  const char* run = p;
  while (p < end) {
    if (end - p >= 8 && !block_special(p, stop_at_nul)) {  // most blocks have nothing to escape
      p += 8;
      continue;
    }
    const char c = *p;
    switch (c) {
      case '\\': out.append(run, p); out.append("\\\\", 2); run = ++p; break;
      case '\n': out.append(run, p); out.append("\\n", 2); run = ++p; break;
      case '\r': out.append(run, p); out.append("\\r", 2); run = ++p; break;
      case '\t': out.append(run, p); out.append("\\t", 2); run = ++p; break;
      case '\0':
        if (stop_at_nul) return false;
        ++p;
        break;
      default: ++p;
    }
  }
  out.append(run, end);
  return true;
}

}  // namespace

void append_copy_escaped(std::string& out, std::string_view value) { escape(out, value, false); }

namespace package_detail {
bool append_copy_escaped_unless_nul(std::string& out, std::string_view value) {
  const size_t size = out.size();
  if (escape(out, value, true)) return true;
  out.resize(size);
  return false;
}
}  // namespace package_detail

}  // namespace ccetl
