// Which rows of a page are already in the table, unchanged: looked up by key and _row_hash on a
// connection of its own (the run's connection is busy with the COPY), one query per page, sent
// asynchronously so that the lookup of one page overlaps the decoding of the next. Unchanged
// rows are then staged as narrow markers (row_hash.h) instead of full rows, so an unchanged
// resync stages, compares and writes almost nothing.
//
// Contract: the answer is a hint, never trusted for content. A marker never writes to the table
// (the merge leaves markers out), so a row that changed between the lookup and the merge (only
// a writer outside ccetl can: the job lock keeps other runs out) is not overwritten with NULLs;
// it keeps whatever that writer left, as any row whose hash matches does. Waits are bounded:
// the session's statement_timeout (20 s) on the server, and receive() gives up after 20 s
// without an answer (a server that stopped answering) or when `*cancelled` turns true.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "warehouse/schema_plan.h"

namespace ccetl::warehouse {

class RowLookup {
 public:
  // Connects to `dsn` and prepares the query. `time_zone` as the run's (typed keys are cast
  // from text as COPY reads them). `cancelled` (the run's interrupt flag) must outlive this.
  // Throws Error(Transient) when that fails.
  RowLookup(const std::string& dsn, const TablePlan& plan, const std::string& time_zone,
            const std::atomic<bool>* cancelled);
  ~RowLookup();
  RowLookup(const RowLookup&) = delete;
  RowLookup& operator=(const RowLookup&) = delete;

  // Sends the lookup of one page: keys[i] are the key values of row i (plan.key_columns order),
  // hashes[i] its hash (32 hex digits). REQUIRES: nothing in flight.
  void send(const std::vector<std::vector<std::string>>& keys,
            const std::vector<std::string>& hashes);
  // Waits for the page sent last: per row, whether a live row with that key and hash is in the
  // table. Throws Error(Transient) when the query failed, took too long or was cancelled.
  std::vector<bool> receive();
  bool in_flight() const { return rows_ >= 0; }

 private:
  void* conn_ = nullptr;  // PGconn*
  const std::atomic<bool>* cancelled_;
  std::size_t key_count_ = 0;
  long rows_ = -1;  // rows of the page in flight, -1 when none
};

}  // namespace ccetl::warehouse
