// Response bodies parked on disk between two passes of one run, so that memory does not grow
// with how many are parked.
//
// Why: a fan-out run reads page 1 of every project first (the table holds the union of their
// fields, which must be known before anything is staged), then loads every project. Page 1 is
// needed again in the load pass; fetching it twice costs one request per project, keeping it in
// memory costs a page per project (a dozen 2.5 MB pages break the 48 MB memory target). The
// spool keeps them in one unlinked temporary file (the page cache, not the process, holds
// them), up to `max_bytes`; a body that does not fit, or that cannot be written, is simply not
// parked and the caller fetches that page again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace ccetl {

class BodySpool {
 public:
  // All spools of the process together park at most this much, so that concurrent fan-out runs
  // of a daemon stay within a bounded /tmp (deploy/k8s mounts a 64 Mi emptyDir there, and
  // exceeding it evicts the pod rather than failing a write).
  static constexpr std::size_t kProcessBudget = 32u << 20;
  static std::size_t process_parked_bytes();  // for tests

  // Where a parked body lies in the file.
  struct Slot {
    int64_t offset = 0;
    std::size_t size = 0;
  };

  // The file is created (in $TMPDIR, else /tmp) on the first put(); nothing is created when
  // nothing is parked.
  explicit BodySpool(std::size_t max_bytes);
  ~BodySpool();  // closes the file; it is unlinked from the start, so it vanishes with the process too
  BodySpool(const BodySpool&) = delete;
  BodySpool& operator=(const BodySpool&) = delete;

  // Parks `body`; nullopt when it would exceed max_bytes or the process budget, or the file
  // cannot be created or written (disk full, read-only /tmp): the caller keeps no copy and
  // refetches.
  std::optional<Slot> put(const std::string& body);

  // Reads a parked body into `out` (replacing its content, keeping its capacity, reserving
  // 64 spare bytes for the decoder's padding). Thread-safe (pread). False on a read error.
  bool get(const Slot& slot, std::string& out) const;

 private:
  bool open_file();

  const std::size_t max_bytes_;
  std::size_t used_ = 0;
  int fd_ = -1;
  bool failed_ = false;  // creating the file failed once: do not try again
  std::mutex mu_;        // put() against put()
};

}  // namespace ccetl
