#include "warehouse/history_sql.h"

#include <vector>

#include "warehouse/merge_sql.h"

namespace ccetl::warehouse {
namespace {

// Closes at T the current versions of the keys that CTE `rows` returns. The keys are matched
// with `= ANY (ARRAY(...))` on each key column, which the partial index on current versions
// (history_plan.cpp) serves with one probe per key, and not with a join alone: the planner sizes
// `rows` (a data-modifying CTE) from the staging table, so it would hash the whole history
// table, which grows with every version kept, to close a few rows (measured at 300k rows:
// 0.65 s of seq scan to close 2 877 versions). A composite key (fan-out) is then also joined as
// a whole to the distinct keys: the probed rows are few, so any join method is cheap (an
// `IN (SELECT ...)` filter instead is hashed only when `rows`' estimate fits in work_mem, and is
// otherwise a rescan of `rows` per probed row).
std::string close_versions_cte(const HistoryPlan& h, const Quoting& q, const std::string& rows) {
  std::string match, whole;
  for (const auto& k : h.key_columns) {
    match += " AND h." + q.name(k) + " = ANY (ARRAY(SELECT " + q.name(k) + " FROM " + rows + "))";
    whole += " AND h." + q.name(k) + " = r." + q.name(k);
  }
  const bool composite = h.key_columns.size() > 1;
  return "closed AS (UPDATE " + h.qualified_table + " h SET " + kValidTo + " = now()" +
         (composite ? " FROM (SELECT DISTINCT " + q.names(h.key_columns) + " FROM " + rows + ") r" : "") +
         " WHERE h." + kValidTo + " = 'infinity'" + match + (composite ? whole : "") + " RETURNING 1)";
}

}  // namespace

std::string history_upsert_sql(const TablePlan& plan, const HistoryPlan& h, const Quoting& q,
                               const MergeShape& shape) {
  // RETURNING t.<column> yields the row as stored, so columns this run's fields do not set
  // (fields gone from the package) carry their kept values into the new version. Only rows
  // whose content changed get a version (`_changed`): a row that only took a new _row_hash
  // keeps its current one.
  const std::string cols = q.names(h.columns);
  return upsert_ctes(plan, q, shape, ", " + q.names(h.columns, "t.")) +
         ",\nchg AS (SELECT * FROM ins WHERE _changed),\n" + close_versions_cte(h, q, "chg") +
         ",\nopened AS (INSERT INTO " + h.qualified_table + " (" + cols + ", " + kValidFrom + ", " +
         kValidTo + ")\n  SELECT " + cols + ", now(), 'infinity' FROM chg RETURNING 1)\n" +
         "SELECT " + distinct_count(shape) +
         ", count(*) FILTER (WHERE _inserted), "
         "count(*) FILTER (WHERE NOT _inserted AND _changed), (SELECT count(*) FROM opened), "
         "(SELECT count(*) FROM closed) FROM ins";
}

std::string history_delete_sql(const TablePlan& plan, const HistoryPlan& h, const Quoting& q,
                               bool soft, const std::string& scope) {
  return "WITH gone AS (" + delete_sql(plan, q, soft, scope) + " RETURNING " +
         q.names(h.key_columns, "t.") + "),\n" + close_versions_cte(h, q, "gone") +
         "\nSELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM closed)";
}

std::string history_seed_sql(const TablePlan& plan, const HistoryPlan& h, const Quoting& q) {
  const std::string cols = q.names(h.columns);
  return "INSERT INTO " + h.qualified_table + " (" + cols + ", " + kValidFrom + ", " + kValidTo +
         ") SELECT " + cols + ", " + kSyncedAt + ", 'infinity' FROM " + plan.qualified_table +
         (h.table_has_deleted_at ? std::string(" WHERE ") + kDeletedAt + " IS NULL" : "");
}

std::string history_close_current_sql(const HistoryPlan& h) {
  return "UPDATE " + h.qualified_table + " SET " + kValidTo + " = now() WHERE " + kValidTo +
         " = 'infinity'";
}

}  // namespace ccetl::warehouse
