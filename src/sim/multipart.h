// Streaming multipart/form-data parser: the body is fed in chunks of any size and file parts
// go straight to disk (with size and SHA-256), so an upload never sits in memory. Parts with a
// filename are files; other parts are ignored beyond their headers.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "sim/http_types.h"

namespace ccetl::sim {

// The boundary parameter of a multipart Content-Type, or "" when there is none.
std::string multipart_boundary(std::string_view content_type);

class MultipartWriter {
 public:
  // Files are written under `dir` with names "<prefix>-<n>-<sanitized file name>".
  MultipartWriter(std::string boundary, std::string dir, std::string prefix);
  ~MultipartWriter();
  MultipartWriter(const MultipartWriter&) = delete;
  MultipartWriter& operator=(const MultipartWriter&) = delete;

  // Returns false once the body is known to be malformed (see result().error).
  bool feed(const char* data, size_t n);
  // Call after the last chunk; false when the closing delimiter was never seen.
  bool finish();
  // Removes every file written so far (for rejected uploads).
  void discard();
  UploadResult& result() { return result_; }

 private:
  enum class State { Preamble, AfterDelimiter, Headers, Body, Done, Failed };
  bool step();
  void emit(const char* data, size_t n);
  void open_part(std::string_view headers);
  void close_part();

  std::string delimiter_;  // "\r\n--" + boundary
  std::string dir_;
  std::string prefix_;
  std::string pending_;
  State state_ = State::Preamble;
  FILE* file_ = nullptr;
  EVP_MD_CTX* sha_ = nullptr;
  UploadedFile current_;
  bool current_is_file_ = false;
  UploadResult result_;
};

}  // namespace ccetl::sim
