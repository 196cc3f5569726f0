#include "warehouse/merge_sql.h"

#include <algorithm>
#include <vector>

namespace ccetl::warehouse {
namespace {

// The data columns staging shares with the target, in staging order.
std::vector<std::string> data_columns(const TablePlan& plan, bool with_project_key) {
  std::vector<std::string> cols;
  if (with_project_key) cols.push_back(kProjectKey);
  for (const auto& c : plan.schema.columns) cols.push_back(c.column_name);
  cols.push_back(kMultiValues);
  return cols;
}

bool fanned_out(const TablePlan& plan) { return plan.fan_out; }

std::string list(const std::vector<std::string>& cols, const Quoting& q,
                 const std::string& prefix = "") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + prefix + q.name(c);
  return out;
}

std::string key_match(const TablePlan& plan, const Quoting& q) {
  std::string out;
  for (const auto& k : plan.key_columns)
    out += (out.empty() ? "" : " AND ") + ("s." + q.name(k)) + " = t." + q.name(k);
  return out;
}

}  // namespace

std::string staging_ddl(const TablePlan& plan, const Quoting& q) {
  std::string sql = "CREATE TEMP TABLE " + std::string(kStaging) + " (" + kSeq + " bigint";
  if (fanned_out(plan)) sql += ", " + std::string(kProjectKey) + " text";
  for (const auto& c : plan.schema.columns) sql += ", " + q.name(c.column_name) + " " + c.sql_type;
  return sql + ", " + kMultiValues + " jsonb) ON COMMIT DROP";
}

std::string copy_sql(const TablePlan& plan, const Quoting& q) {
  std::vector<std::string> cols{kSeq};
  for (auto& c : data_columns(plan, fanned_out(plan))) cols.push_back(c);
  return "COPY " + std::string(kStaging) + " (" + list(cols, q) + ") FROM STDIN";
}

std::string analyze_staging_sql(const TablePlan& plan, const Quoting& q) {
  std::vector<std::string> cols{kSeq};
  cols.insert(cols.end(), plan.key_columns.begin(), plan.key_columns.end());
  return "ANALYZE " + std::string(kStaging) + " (" + list(cols, q) + ")";
}

std::string direct_copy_sql(const TablePlan& plan, const Quoting& q) {
  return "COPY " + plan.qualified_table + " (" + list(data_columns(plan, fanned_out(plan)), q) +
         ") FROM STDIN WITH (FREEZE)";
}

std::string direct_dedupe_sql(const TablePlan& plan, const Quoting& q) {
  std::string match;
  for (const auto& k : plan.key_columns)
    match += (match.empty() ? "" : " AND ") + ("older." + q.name(k)) + " = newer." + q.name(k);
  return "DELETE FROM " + plan.qualified_table + " older USING " + plan.qualified_table +
         " newer WHERE " + match + " AND older.ctid < newer.ctid";
}

std::string upsert_ctes(const TablePlan& plan, const Quoting& q, bool target_empty,
                        const std::string& returning) {
  const std::string& t = plan.qualified_table;
  std::vector<std::string> cols = data_columns(plan, fanned_out(plan));
  std::vector<std::string> non_key;
  for (const auto& c : cols)
    if (std::find(plan.key_columns.begin(), plan.key_columns.end(), c) == plan.key_columns.end())
      non_key.push_back(c);
  std::string keys = list(plan.key_columns, q);
  std::string set, old_row, new_row;
  for (const auto& c : non_key) {
    set += (set.empty() ? "" : ", ") + q.name(c) + " = EXCLUDED." + q.name(c);
    old_row += (old_row.empty() ? "" : ", ") + ("t." + q.name(c));
    new_row += (new_row.empty() ? "" : ", ") + ("EXCLUDED." + q.name(c));
  }
  set += ", " + std::string(kSyncedAt) + " = now()";
  std::string insert_cols = list(cols, q) + ", " + kSyncedAt;
  std::string insert_vals = list(cols, q) + ", now()";
  if (plan.deleted_at_column) {
    set += ", " + std::string(kDeletedAt) + " = NULL";
    old_row += ", t." + std::string(kDeletedAt) + " IS NOT NULL";
    new_row += ", false";
  }
  return "WITH src AS MATERIALIZED (SELECT DISTINCT ON (" + keys + ") " + list(cols, q) + " FROM " +
         kStaging + " ORDER BY " + keys + ", " + kSeq + " DESC),\n" + "ins AS (INSERT INTO " + t +
         " AS t (" + insert_cols + ")\n  SELECT " + insert_vals + " FROM src\n" +
         (target_empty ? std::string()
                       : "  ON CONFLICT (" + keys + ") DO UPDATE SET " + set + "\n  WHERE ROW(" +
                             old_row + ") IS DISTINCT FROM ROW(" + new_row + ")\n") +
         "  RETURNING (t.xmax = 0) AS _inserted" + returning + ")";
}

std::string upsert_sql(const TablePlan& plan, const Quoting& q, bool target_empty) {
  return upsert_ctes(plan, q, target_empty) + "\n" + upsert_counts_select();
}

std::string upsert_counts_select() {
  return "SELECT (SELECT count(*) FROM src), count(*) FILTER (WHERE _inserted), "
         "count(*) FILTER (WHERE NOT _inserted) FROM ins";
}

std::string delete_counts_sql(const TablePlan& plan, const Quoting& q, bool soft) {
  // Two scalar subqueries, so that NOT EXISTS stands in a WHERE clause and is planned as a hash
  // anti join; inside an aggregate's FILTER it runs as a correlated subplan once per target row,
  // each a scan of staging (quadratic: minutes at 20k rows).
  const std::string live = soft ? "t." + std::string(kDeletedAt) + " IS NULL" : std::string();
  return "SELECT (SELECT count(*) FROM " + plan.qualified_table + " t" +
         (soft ? " WHERE " + live : std::string()) + "), (SELECT count(*) FROM " +
         plan.qualified_table + " t WHERE " + (soft ? live + " AND " : std::string()) +
         "NOT EXISTS (SELECT 1 FROM " + std::string(kStaging) + " s WHERE " + key_match(plan, q) +
         "))";
}

std::string delete_sql(const TablePlan& plan, const Quoting& q, bool soft) {
  std::string absent =
      "NOT EXISTS (SELECT 1 FROM " + std::string(kStaging) + " s WHERE " + key_match(plan, q) + ")";
  if (soft)
    return "UPDATE " + plan.qualified_table + " t SET " + kDeletedAt + " = now() WHERE t." +
           kDeletedAt + " IS NULL AND " + absent;
  return "DELETE FROM " + plan.qualified_table + " t WHERE " + absent;
}

std::string count_sql(const TablePlan& plan) {
  return "SELECT count(*) FROM " + plan.qualified_table;
}

std::string staged_count_sql() { return "SELECT count(*) FROM " + std::string(kStaging); }

std::string replace_delete_sql(const TablePlan& plan) {
  return "DELETE FROM " + plan.qualified_table;
}

std::string replace_insert_sql(const TablePlan& plan, const Quoting& q) {
  std::vector<std::string> cols = data_columns(plan, fanned_out(plan));
  return "INSERT INTO " + plan.qualified_table + " (" + list(cols, q) + ", " + kSyncedAt +
         ") SELECT " + list(cols, q) + ", now() FROM " + kStaging + " ORDER BY " + kSeq;
}

}  // namespace ccetl::warehouse
