#include "push/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/error.h"

namespace ccetl::push {
namespace {

using Digest = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Digest start() {
  Digest ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error(ErrorKind::Permanent, "SHA-256 failed (OpenSSL EVP)");
  return ctx;
}

void update(const Digest& ctx, const void* data, size_t size) {
  if (EVP_DigestUpdate(ctx.get(), data, size) != 1) throw Error(ErrorKind::Permanent, "SHA-256 failed (OpenSSL EVP)");
}

std::string finish(const Digest& ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
    throw Error(ErrorKind::Permanent, "SHA-256 failed (OpenSSL EVP)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Digest ctx = start();
  update(ctx, data.data(), data.size());
  return finish(ctx);
}

std::string sha256_file_hex(const std::string& path, uint64_t& size) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw Error(ErrorKind::Data, "cannot read file '" + path + "'");
  Digest ctx = start();
  std::vector<char> chunk(256 * 1024);
  size = 0;
  while (size_t got = std::fread(chunk.data(), 1, chunk.size(), file.get())) {
    update(ctx, chunk.data(), got);
    size += got;
  }
  if (std::ferror(file.get())) throw Error(ErrorKind::Data, "error reading '" + path + "'");
  return finish(ctx);
}

}  // namespace ccetl::push
