// Shared checks for the decoder fuzz targets: a decode either succeeds with well-formed COPY
// text or throws Error(Data) and leaves the page empty. Anything else aborts (a finding).
#pragma once

#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"
#include "package/decoder.h"

namespace ccetl::fuzz {

inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// Checks a decoded page: every line has _seq, the prefix column, one column per field and
// _multi_values; no raw NUL; counts agree.
inline void check_page(const DecodedPage& page, const DecodeOptions& options) {
  size_t prefix_tabs = 0;
  for (char c : options.row_prefix) prefix_tabs += (c == '\t');
  const size_t tabs_per_line = page.fields.size() + 1 + prefix_tabs;
  require(std::memchr(page.copy_text.data(), '\0', page.copy_text.size()) == nullptr, "NUL in copy_text");
  int64_t lines = 0;
  size_t tabs = 0;
  for (char c : page.copy_text) {
    if (c == '\t') ++tabs;
    if (c == '\n') {
      require(tabs == tabs_per_line, "wrong column count");
      tabs = 0;
      ++lines;
    }
  }
  require(tabs == 0, "copy_text does not end with a newline");
  require(simdjson::validate_utf8(page.copy_text.data(), page.copy_text.size()), "copy_text is not UTF-8");
  // Every _multi_values column, COPY-unescaped, is a JSON object.
  size_t line_start = 0;
  while (line_start < page.copy_text.size()) {
    const size_t end = page.copy_text.find('\n', line_start);
    const size_t col = page.copy_text.rfind('\t', end) + 1;
    std::string_view multi(page.copy_text.data() + col, end - col);
    if (multi != "\\N") {
      std::string json;
      for (size_t i = 0; i < multi.size(); ++i) {
        if (multi[i] == '\\' && i + 1 < multi.size()) {
          char n = multi[++i];
          json.push_back(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
        } else {
          json.push_back(multi[i]);
        }
      }
      static simdjson::dom::parser parser;
      simdjson::dom::object obj;
      require(parser.parse(json).get(obj) == simdjson::SUCCESS, "_multi_values is not a JSON object");
    }
    line_start = end + 1;
  }
  require(lines == page.rows_emitted, "rows_emitted disagrees with the lines");
  require(page.rows_emitted <= page.rows_read, "more rows emitted than read");
  for (const Reject& r : page.rejects) require(r.raw_value.size() <= 2048, "raw_value too long");
}

inline void check_error(const Error& e, const DecodedPage& page) {
  require(e.kind() == ErrorKind::Data, "error kind is not Data");
  require(std::strlen(e.what()) > 0, "empty error message");
  require(page.copy_text.empty() && page.fields.empty() && page.rejects.empty() && page.rows_emitted == 0,
          "page not cleared after an error");
}

// Options vary with the first input byte so keys and prefixes are exercised too.
inline DecodeOptions options_for(const uint8_t* data, size_t size) {
  DecodeOptions options;
  if (size > 0 && (data[0] & 1)) options.row_prefix = "P\t";
  if (size > 0 && (data[0] & 2)) options.key_fields = {"A"};
  return options;
}

}  // namespace ccetl::fuzz
