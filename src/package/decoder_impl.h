// Internal: the state a Decoder keeps between pages (parsers and scratch buffers).
#pragma once

#include <simdjson.h>

#include <string>

#include "package/decoder.h"
#include "package/row_assembler.h"

namespace ccetl {
namespace package_detail {

// Everything a Decoder reuses from page to page. (Decoder::Impl is this; the decoders' helper
// classes take it by reference.)
struct DecoderState {
  explicit DecoderState(size_t max_bytes)
      : max_page_bytes(max_bytes), parser(max_bytes), aux_parser(max_bytes) {}

  size_t max_page_bytes;
  simdjson::ondemand::parser parser;
  // Parses a cell's `values` array a second time when it came before the cell's metadata.
  simdjson::ondemand::parser aux_parser;
  RowAssembler rows;
  std::string pending_values;  // padded copy of a deferred `values` array
  std::string unescaped;       // computedValue unescaped on demand
  std::string csv_cell;        // a quoted CSV cell without its quotes
};

}  // namespace package_detail

struct Decoder::Impl : package_detail::DecoderState {
  using DecoderState::DecoderState;
};

}  // namespace ccetl
