// The push SQL read in batches through a server-side cursor, so that a query of a million rows
// runs in memory bounded by one batch. The cursor is declared WITH HOLD in a READ ONLY
// transaction that commits at once: every batch comes from that one snapshot (the server keeps
// the result), and no transaction stays open while the run sends.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "push/typed_query.h"

namespace ccetl::push {

class QueryCursor {
 public:
  // Connects and declares the cursor. Throws Error(Permanent) naming the query's problem, or
  // Error(Transient) when the database is unreachable. The bytea cells of `byte_columns`
  // (attachment columns) are delivered decoded (TypedColumn::decoded_bytes): the hex text, twice
  // their size, is never copied out of the driver's result.
  QueryCursor(const std::string& dsn, const std::string& sql, size_t batch_rows,
              std::set<std::string> byte_columns = {});
  ~QueryCursor();
  QueryCursor(const QueryCursor&) = delete;
  QueryCursor& operator=(const QueryCursor&) = delete;

  // Replaces `batch` with the next rows (columns always set, also for an empty result).
  // Returns false, with no rows, when the result is exhausted.
  bool next(TypedResult& batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t batch_rows_;
  std::set<std::string> byte_columns_;
};

}  // namespace ccetl::push
