#include "pipeline/body_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>

namespace ccetl {
namespace {

constexpr std::size_t kPadding = 64;  // SIMDJSON_PADDING: the decoder parses bodies in place

std::atomic<std::size_t> g_parked{0};  // bytes parked by every spool of the process

// Takes `n` bytes of the process-wide budget, or nothing when they do not fit.
bool reserve(std::size_t n) {
  std::size_t used = g_parked.load();
  do {
    if (used + n > BodySpool::kProcessBudget) return false;
  } while (!g_parked.compare_exchange_weak(used, used + n));
  return true;
}

}  // namespace

std::size_t BodySpool::process_parked_bytes() { return g_parked.load(); }

BodySpool::BodySpool(std::size_t max_bytes) : max_bytes_(max_bytes) {}

BodySpool::~BodySpool() {
  if (fd_ >= 0) ::close(fd_);
  g_parked -= used_;
}

bool BodySpool::open_file() {
  if (fd_ >= 0) return true;
  if (failed_) return false;
  const char* dir = std::getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  // O_TMPFILE: a file without a name, gone when closed (or when the process dies).
  fd_ = ::open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    // Filesystems without O_TMPFILE: a named file, unlinked at once.
    std::string path = std::string(dir) + "/ccetl-spool-XXXXXX";
    fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(path.c_str());
  }
  failed_ = fd_ < 0;
  return !failed_;
}

std::optional<BodySpool::Slot> BodySpool::put(const std::string& body) {
  std::lock_guard lock(mu_);
  if (used_ + body.size() > max_bytes_ || !open_file() || !reserve(body.size())) return std::nullopt;
  Slot slot{static_cast<int64_t>(used_), body.size()};
  std::size_t done = 0;
  while (done < body.size()) {
    ssize_t n = ::pwrite(fd_, body.data() + done, body.size() - done, slot.offset + static_cast<int64_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // disk full or an I/O error: the caller refetches
      g_parked -= body.size();
      return std::nullopt;
    }
    done += static_cast<std::size_t>(n);
  }
  used_ += body.size();
  return slot;
}

bool BodySpool::get(const Slot& slot, std::string& out) const {
  out.clear();
  out.reserve(slot.size + kPadding);
  out.resize(slot.size);
  std::size_t done = 0;
  while (done < slot.size) {
    ssize_t n = ::pread(fd_, out.data() + done, slot.size - done, slot.offset + static_cast<int64_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace ccetl
