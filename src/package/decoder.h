// Turns Centercode response bodies into DecodedPage rows (simdjson On-Demand for JSON).
// One decoder per thread: it owns a reusable simdjson parser whose buffers grow to the largest
// page and are capped at `max_page_bytes`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "package/decoded_page.h"

namespace ccetl {

class Decoder {
 public:
  explicit Decoder(size_t max_page_bytes = 256u << 20);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes a data-package page. `body` is parsed in place when its capacity leaves
  // SIMDJSON_PADDING spare bytes (reserve size + 64); otherwise it is copied once.
  // Rows are numbered from `first_seq`. Throws Error(Data) describing what is wrong with the page
  // (the caller prefixes job and page). The page is decoded completely or not at all.
  void decode_data_package(std::string& body, const DecodeOptions& options, int64_t first_seq,
                           DecodedPage& out);

  // Decodes a record lookup (`data` is one object per field; element names accepted as `name`
  // or `field`). Yields exactly one row.
  void decode_record_lookup(std::string& body, const DecodeOptions& options, int64_t first_seq,
                            DecodedPage& out);

  // Decodes a text/csv page: RFC 4180, first line is the header (field names); every field is
  // typed string; empty cells are NULL.
  void decode_csv(std::string_view body, const DecodeOptions& options, int64_t first_seq,
                  DecodedPage& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends `value` to `out` escaped for COPY text format (\\, \n, \r, \t).
void append_copy_escaped(std::string& out, std::string_view value);

}  // namespace ccetl
