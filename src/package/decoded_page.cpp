#include "package/decoded_page.h"

#include <array>

#include "package/decoder.h"

namespace ccetl {

void DecodedPage::clear() {
  paging = Paging{};
  fields.clear();
  copy_text.clear();  // keeps capacity: pages are decoded into the same object again and again
  rows_emitted = 0;
  rows_read = 0;
  rejects.clear();
}

namespace {
// Bytes COPY text format must escape. Other control characters pass through unchanged.
constexpr std::array<bool, 256> make_special() {
  std::array<bool, 256> t{};
  t['\\'] = t['\n'] = t['\r'] = t['\t'] = true;
  return t;
}
constexpr std::array<bool, 256> kCopySpecial = make_special();
}  // namespace

void append_copy_escaped(std::string& out, std::string_view value) {
  const char* p = value.data();
  const char* end = p + value.size();
  const char* run = p;
  // Eight bytes at a time: most cells contain nothing to escape.
  while (p < end) {
    if (end - p >= 8) {
      if (!kCopySpecial[static_cast<unsigned char>(p[0])] &&
          !kCopySpecial[static_cast<unsigned char>(p[1])] &&
          !kCopySpecial[static_cast<unsigned char>(p[2])] &&
          !kCopySpecial[static_cast<unsigned char>(p[3])] &&
          !kCopySpecial[static_cast<unsigned char>(p[4])] &&
          !kCopySpecial[static_cast<unsigned char>(p[5])] &&
          !kCopySpecial[static_cast<unsigned char>(p[6])] &&
          !kCopySpecial[static_cast<unsigned char>(p[7])]) {
        p += 8;
        continue;
      }
    }
    const char c = *p;
    if (!kCopySpecial[static_cast<unsigned char>(c)]) {
      ++p;
      continue;
    }
    out.append(run, p);
    switch (c) {
      case '\\': out.append("\\\\", 2); break;
      case '\n': out.append("\\n", 2); break;
      case '\r': out.append("\\r", 2); break;
      default: out.append("\\t", 2); break;
    }
    run = ++p;
  }
  out.append(run, end);
}

}  // namespace ccetl
