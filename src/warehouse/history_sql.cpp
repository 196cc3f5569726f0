#include "warehouse/history_sql.h"

#include <vector>

#include "warehouse/merge_sql.h"

namespace ccetl::warehouse {
namespace {

std::string list(const std::vector<std::string>& cols, const Quoting& q,
                 const std::string& prefix = "") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + prefix + q.name(c);
  return out;
}

// Closes at T the current versions of the keys that CTE `rows` returns. The keys are matched
// with `= ANY (ARRAY(...))` on each key column, which the partial index on current versions
// (history_plan.cpp) serves with one probe per key, and not with a join: the planner sizes
// `rows` (a data-modifying CTE) from the staging table, so it would hash the whole history
// table, which grows with every version kept, to close a few rows (measured at 300k rows:
// 0.65 s of seq scan to close 2 877 versions). A composite key (fan-out) also checks the key as
// a whole, as a hashed filter on the probed rows (`IS TRUE` keeps it a filter, not a join).
std::string close_versions_cte(const HistoryPlan& h, const Quoting& q, const std::string& rows) {
  std::string match, whole, picked;
  for (const auto& k : h.key_columns) {
    match += " AND h." + q.name(k) + " = ANY (ARRAY(SELECT " + q.name(k) + " FROM " + rows + "))";
    whole += (whole.empty() ? "" : ", ") + ("h." + q.name(k));
    picked += (picked.empty() ? "" : ", ") + q.name(k);
  }
  if (h.key_columns.size() > 1)
    match += " AND ((" + whole + ") IN (SELECT " + picked + " FROM " + rows + ")) IS TRUE";
  return "closed AS (UPDATE " + h.qualified_table + " h SET " + kValidTo + " = now() WHERE h." + kValidTo +
         " = 'infinity'" + match + " RETURNING 1)";
}

}  // namespace

std::string history_upsert_sql(const TablePlan& plan, const HistoryPlan& h, const Quoting& q,
                               const MergeShape& shape) {
  // RETURNING t.<column> yields the row as stored, so columns this run's fields do not set
  // (fields gone from the package) carry their kept values into the new version. Only rows
  // whose content changed get a version (`_changed`): a row that only took a new _row_hash
  // keeps its current one.
  const std::string cols = list(h.columns, q);
  return upsert_ctes(plan, q, shape, ", " + list(h.columns, q, "t.")) +
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
         list(h.key_columns, q, "t.") + "),\n" + close_versions_cte(h, q, "gone") +
         "\nSELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM closed)";
}

std::string history_seed_sql(const TablePlan& plan, const HistoryPlan& h, const Quoting& q) {
  const std::string cols = list(h.columns, q);
  return "INSERT INTO " + h.qualified_table + " (" + cols + ", " + kValidFrom + ", " + kValidTo +
         ") SELECT " + cols + ", " + kSyncedAt + ", 'infinity' FROM " + plan.qualified_table +
         (h.table_has_deleted_at ? std::string(" WHERE ") + kDeletedAt + " IS NULL" : "");
}

std::string history_close_current_sql(const HistoryPlan& h) {
  return "UPDATE " + h.qualified_table + " SET " + kValidTo + " = now() WHERE " + kValidTo +
         " = 'infinity'";
}

}  // namespace ccetl::warehouse
