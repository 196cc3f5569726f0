// libFuzzer target: Decoder on arbitrary bytes (data package). Build and run with scripts/fuzz.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ccetl::Decoder decoder(1u << 20);  // reused, as in production; small cap
  ccetl::DecodeOptions options = ccetl::fuzz::options_for(data, size);
  std::string body(reinterpret_cast<const char*>(data), size);
  ccetl::DecodedPage page;
  page.copy_text = "stale\n";  // must be replaced
  try {
    decoder.decode_data_package(body, options, 1, page);
  } catch (const ccetl::Error& e) {
    ccetl::fuzz::check_error(e, page);
    return 0;
  }
  ccetl::fuzz::check_page(page, options);
  return 0;
}
