#include "sim/multipart.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ccetl::sim {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Value of `name="..."` (or unquoted) inside a header value.
std::string header_param(std::string_view header, std::string_view name) {
  std::string l = lower(header);
  std::string key = std::string(name) + "=";
  size_t pos = 0;
  while ((pos = l.find(key, pos)) != std::string::npos) {
    if (pos == 0 || l[pos - 1] == ' ' || l[pos - 1] == ';' || l[pos - 1] == '\t') break;
    pos += key.size();
  }
  if (pos == std::string::npos) return "";
  pos += key.size();
  if (pos < header.size() && header[pos] == '"') {
    auto end = header.find('"', pos + 1);
    return std::string(header.substr(pos + 1, end == std::string_view::npos ? end : end - pos - 1));
  }
  auto end = header.find_first_of("; \t", pos);
  return std::string(header.substr(pos, end == std::string_view::npos ? end : end - pos));
}

std::string sanitize(std::string_view name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_');
  if (out.empty() || out == "." || out == "..") out = "file";
  return out;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  if (lower(content_type).rfind("multipart/form-data", 0) != 0) return "";
  return header_param(content_type, "boundary");
}

MultipartWriter::MultipartWriter(std::string boundary, std::string dir, std::string prefix)
    : delimiter_("\r\n--" + boundary), dir_(std::move(dir)), prefix_(std::move(prefix)), pending_("\r\n") {}

MultipartWriter::~MultipartWriter() {
  if (file_) std::fclose(file_);
  if (sha_) EVP_MD_CTX_free(sha_);
}

bool MultipartWriter::feed(const char* data, size_t n) {
  if (state_ == State::Failed) return false;
  if (state_ == State::Done) return true;  // epilogue is ignored
  pending_.append(data, n);
  while (step()) {
  }
  return state_ != State::Failed;
}

// Consumes what it can from pending_; returns true when it made progress and may go on.
bool MultipartWriter::step() {
  switch (state_) {
    case State::Preamble: {
      auto pos = pending_.find(delimiter_);
      if (pos == std::string::npos) {
        if (pending_.size() > delimiter_.size()) pending_.erase(0, pending_.size() - delimiter_.size());
        return false;
      }
      pending_.erase(0, pos + delimiter_.size());
      state_ = State::AfterDelimiter;
      return true;
    }
    case State::AfterDelimiter: {
      if (pending_.size() < 2) return false;
      if (pending_.compare(0, 2, "--") == 0) {
        state_ = State::Done;
        pending_.clear();
        return false;
      }
      // Transport padding (spaces/tabs) may precede the CRLF.
      auto crlf = pending_.find("\r\n");
      if (crlf == std::string::npos) {
        if (pending_.size() > 256) {
          result_.error = "malformed multipart delimiter line";
          state_ = State::Failed;
        }
        return false;
      }
      pending_.erase(0, crlf + 2);
      state_ = State::Headers;
      return true;
    }
    case State::Headers: {
      auto end = pending_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (pending_.size() > 16384) {
          result_.error = "multipart part headers too long";
          state_ = State::Failed;
        }
        return false;
      }
      open_part(std::string_view(pending_).substr(0, end + 2));
      pending_.erase(0, end + 4);
      if (state_ == State::Failed) return false;
      state_ = State::Body;
      return true;
    }
    case State::Body: {
      auto pos = pending_.find(delimiter_);
      if (pos == std::string::npos) {
        // Keep a tail that could be the start of a delimiter split across chunks.
        size_t keep = std::min(pending_.size(), delimiter_.size() - 1);
        size_t out = pending_.size() - keep;
        emit(pending_.data(), out);
        pending_.erase(0, out);
        return false;
      }
      emit(pending_.data(), pos);
      close_part();
      pending_.erase(0, pos + delimiter_.size());
      state_ = State::AfterDelimiter;
      return true;
    }
    case State::Done:
    case State::Failed:
      return false;
  }
  return false;
}

void MultipartWriter::open_part(std::string_view headers) {
  current_ = UploadedFile{};
  current_is_file_ = false;
  size_t pos = 0;
  while (pos < headers.size()) {
    auto eol = headers.find("\r\n", pos);
    std::string_view line = headers.substr(pos, eol - pos);
    pos = eol == std::string_view::npos ? headers.size() : eol + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (name == "content-disposition") {
      current_.field = header_param(value, "name");
      std::string fn = header_param(value, "filename");
      if (lower(value).find("filename") != std::string::npos) {
        current_is_file_ = true;
        current_.file_name = fn;
      }
    } else if (name == "content-type") {
      current_.content_type = std::string(value);
    }
  }
  if (!current_is_file_) return;
  current_.stored_path =
      dir_ + "/" + prefix_ + "-" + std::to_string(result_.files.size()) + "-" + sanitize(current_.file_name);
  file_ = std::fopen(current_.stored_path.c_str(), "wb");
  if (!file_) {
    result_.error = "cannot write " + current_.stored_path;
    state_ = State::Failed;
    return;
  }
  sha_ = EVP_MD_CTX_new();
  EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr);
}

void MultipartWriter::emit(const char* data, size_t n) {
  if (!current_is_file_ || n == 0 || !file_) return;
  if (std::fwrite(data, 1, n, file_) != n) {
    result_.error = "short write to " + current_.stored_path;
    state_ = State::Failed;
    return;
  }
  EVP_DigestUpdate(sha_, data, n);
  current_.size += n;
}

void MultipartWriter::close_part() {
  if (!current_is_file_ || !file_) return;
  std::fclose(file_);
  file_ = nullptr;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(sha_, md, &len);
  EVP_MD_CTX_free(sha_);
  sha_ = nullptr;
  static const char* kHex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    current_.sha256.push_back(kHex[md[i] >> 4]);
    current_.sha256.push_back(kHex[md[i] & 15]);
  }
  result_.files.push_back(std::move(current_));
  current_is_file_ = false;
}

bool MultipartWriter::finish() {
  if (state_ == State::Done) return true;
  if (state_ != State::Failed) {
    result_.error = "multipart body ended before its closing delimiter";
    state_ = State::Failed;
  }
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
    std::remove(current_.stored_path.c_str());
  }
  return false;
}

void MultipartWriter::discard() {
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
    std::remove(current_.stored_path.c_str());
  }
  for (const auto& f : result_.files) std::remove(f.stored_path.c_str());
}

}  // namespace ccetl::sim
