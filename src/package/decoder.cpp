#include "package/decoder.h"

#include "package/decoder_impl.h"

namespace ccetl {

Decoder::Decoder(size_t max_page_bytes) : impl_(std::make_unique<Impl>(max_page_bytes)) {}

Decoder::~Decoder() = default;

}  // namespace ccetl
