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

// Keyed tables carry _row_hash (row_hash.h); their staging also _same.
bool hashed(const TablePlan& plan) { return !plan.key_columns.empty(); }

// The columns a COPY line carries: [project_key], the selected fields, _multi_values.
std::vector<std::string> copied_columns(const TablePlan& plan,
                                        const std::vector<std::size_t>& field_indexes) {
  std::vector<std::string> cols;
  if (plan.fan_out) cols.push_back(kProjectKey);
  for (std::size_t i : field_indexes) cols.push_back(plan.schema.columns.at(i).column_name);
  cols.push_back(kMultiValues);
  if (hashed(plan)) cols.push_back(kRowHash);
  return cols;
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
  sql += ", " + std::string(kMultiValues) + " jsonb";
  if (hashed(plan)) sql += ", " + std::string(kRowHash) + " uuid, " + kSame + " boolean";
  return sql + ") ON COMMIT DROP";
}

std::vector<std::size_t> all_fields(const TablePlan& plan) {
  std::vector<std::size_t> out(plan.schema.columns.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::string copy_sql(const TablePlan& plan, const Quoting& q,
                     const std::vector<std::size_t>& field_indexes) {
  std::vector<std::string> cols{kSeq};
  for (auto& c : copied_columns(plan, field_indexes)) cols.push_back(c);
  if (hashed(plan)) cols.push_back(kSame);
  return "COPY " + std::string(kStaging) + " (" + q.names(cols) + ") FROM STDIN";
}

std::string direct_copy_sql(const TablePlan& plan, const Quoting& q,
                            const std::vector<std::size_t>& field_indexes) {
  return "COPY " + plan.qualified_table + " (" + q.names(copied_columns(plan, field_indexes)) +
         ") FROM STDIN WITH (FREEZE)";
}

std::string direct_dedupe_sql(const TablePlan& plan, const Quoting& q) {
  std::string match;
  for (const auto& k : plan.key_columns)
    match += (match.empty() ? "" : " AND ") + ("older." + q.name(k)) + " = newer." + q.name(k);
  return "DELETE FROM " + plan.qualified_table + " older USING " + plan.qualified_table +
         " newer WHERE " + match + " AND older.ctid < newer.ctid";
}

std::string duplicate_keys_sql(const TablePlan& plan, const Quoting& q) {
  const std::string keys = q.names(plan.key_columns);
  return "SELECT 1 FROM " + std::string(kStaging) + " GROUP BY " + keys +
         " HAVING count(*) > 1 LIMIT 1";
}

std::string upsert_ctes(const TablePlan& plan, const Quoting& q, const MergeShape& shape,
                        const std::string& returning) {
  const std::string& t = plan.qualified_table;
  std::vector<std::string> cols = data_columns(plan, fanned_out(plan));
  std::vector<std::string> non_key;
  for (const auto& c : cols)
    if (std::find(plan.key_columns.begin(), plan.key_columns.end(), c) == plan.key_columns.end())
      non_key.push_back(c);
  std::string keys = q.names(plan.key_columns);
  std::string set, old_row, new_row;
  for (const auto& c : non_key) {
    set += (set.empty() ? "" : ", ") + q.name(c) + " = EXCLUDED." + q.name(c);
    old_row += (old_row.empty() ? "" : ", ") + ("t." + q.name(c));
    new_row += (new_row.empty() ? "" : ", ") + ("EXCLUDED." + q.name(c));
  }
  if (plan.deleted_at_column) {
    set += ", " + std::string(kDeletedAt) + " = NULL";
    old_row += ", t." + std::string(kDeletedAt) + " IS NOT NULL";
    new_row += ", false";
  }
  const std::string changed = "ROW(" + old_row + ") IS DISTINCT FROM ROW(" + new_row + ")";
  const std::string hash = kRowHash;
  // _synced_at moves only when the content changed: a row whose only difference is its hash
  // (NULL in a table from before the hash, or a new text for the same values) gets the new hash
  // and keeps its _synced_at. RETURNING sees the new row, so `_synced_at = now()` tells the
  // counts and the history which rows changed. A row written by an earlier run has an earlier
  // _synced_at: that run's transaction committed before this one began.
  set += ", " + hash + " = EXCLUDED." + hash + ", " + kSyncedAt + " = CASE WHEN " + changed +
         " THEN now() ELSE t." + kSyncedAt + " END";
  std::string insert_cols = q.names(cols) + ", " + hash + ", " + kSyncedAt;
  std::string insert_vals = q.names(cols, "s.") + ", s." + hash + ", now()";
  const std::string src_cols = q.names(cols) + ", " + hash + ", " + kSame;
  std::string src = shape.dedupe ? "src AS MATERIALIZED (SELECT DISTINCT ON (" + keys + ") " +
                                       src_cols + " FROM " + kStaging + " ORDER BY " + keys +
                                       ", " + kSeq + " DESC)"
                                 : "src AS (SELECT " + src_cols + " FROM " + kStaging + ")";
  // The prefilter: a row whose key and hash match a live row of the target is unchanged and
  // never reaches ON CONFLICT (which would lock it: a write to its page and WAL per row). A hash
  // anti join over (key, hash): the target's side is narrow, unlike a comparison of all columns.
  // Markers (row_lookup.h) never reach the table: the key was read, its row is unchanged.
  std::string prefilter = "  WHERE NOT s." + std::string(kSame) + "\n";
  if (!shape.target_empty && shape.prefilter) {
    std::string match;
    for (const auto& k : plan.key_columns) match += "x." + q.name(k) + " = s." + q.name(k) + " AND ";
    prefilter += "  AND NOT EXISTS (SELECT 1 FROM " + t + " x WHERE " + match + "x." + hash +
                " = s." + hash +
                (plan.deleted_at_column ? " AND x." + std::string(kDeletedAt) + " IS NULL" : "") +
                ")\n";
  }
  return "WITH " + src + ",\nins AS (INSERT INTO " + t + " AS t (" + insert_cols + ")\n  SELECT " +
         insert_vals + " FROM src s\n" + prefilter +
         (shape.target_empty ? std::string()
                             : "  ON CONFLICT (" + keys + ") DO UPDATE SET " + set + "\n  WHERE " +
                                   changed + " OR t." + hash + " IS DISTINCT FROM EXCLUDED." +
                                   hash + "\n") +
         "  RETURNING (t.xmax = 0) AS _inserted, (t." + kSyncedAt + " = now()) AS _changed" +
         returning + ")";
}

std::string upsert_sql(const TablePlan& plan, const Quoting& q, const MergeShape& shape) {
  return upsert_ctes(plan, q, shape) + "\n" + upsert_counts_select(shape);
}

std::string upsert_counts_select(const MergeShape& shape) {
  return "SELECT " + distinct_count(shape) +
         ", count(*) FILTER (WHERE _inserted), "
         "count(*) FILTER (WHERE NOT _inserted AND _changed) FROM ins";
}

std::string distinct_count(const MergeShape& shape) {
  return shape.dedupe ? std::string("(SELECT count(*) FROM src)")
                      : std::to_string(shape.staged_rows) + "::bigint";
}

std::string live_count_sql(const TablePlan& plan, bool soft) {
  return "SELECT count(*) FROM " + plan.qualified_table +
         (soft ? " WHERE " + std::string(kDeletedAt) + " IS NULL" : std::string());
}

std::string staged_counts_sql(const TablePlan& plan, const Quoting& q,
                              const std::string& relation) {
  std::vector<std::string> keys;
  for (const auto& k : plan.key_columns)
    if (k != kProjectKey) keys.push_back(k);
  std::string n = keys.empty()        ? std::string("count(*)")
                  : keys.size() == 1 ? "count(DISTINCT " + q.name(keys[0]) + ")"
                                     : "count(DISTINCT ROW(" + q.names(keys) + "))";
  std::string project = plan.fan_out ? q.name(kProjectKey) : std::string("''::text");
  return "SELECT " + project + ", " + n + " FROM " + relation + " GROUP BY 1";
}

std::string project_scope(const TablePlan& plan, const Quoting& q,
                          const std::vector<std::string>& projects, const std::string& alias) {
  if (!plan.fan_out) return {};
  std::string in;
  for (const auto& p : projects) in += (in.empty() ? "" : ", ") + q.literal(p);
  return " AND " + alias + "." + q.name(kProjectKey) + " IN (" + in + ")";
}

std::string delete_counts_sql(const TablePlan& plan, const Quoting& q, bool soft,
                              const std::string& scope) {
  // Two scalar subqueries, so that NOT EXISTS stands in a WHERE clause and is planned as a hash
  // anti join; inside an aggregate's FILTER it runs as a correlated subplan once per target row,
  // each a scan of staging (quadratic: minutes at 20k rows).
  const std::string live = soft ? "t." + std::string(kDeletedAt) + " IS NULL" : std::string();
  return "SELECT (SELECT count(*) FROM " + plan.qualified_table + " t WHERE " +
         (soft ? live : std::string("true")) + scope + "), (SELECT count(*) FROM " +
         plan.qualified_table + " t WHERE " + (soft ? live + " AND " : std::string()) +
         "NOT EXISTS (SELECT 1 FROM " + std::string(kStaging) + " s WHERE " + key_match(plan, q) +
         ")" + scope + ")";
}

std::string delete_sql(const TablePlan& plan, const Quoting& q, bool soft,
                       const std::string& scope) {
  std::string absent = "NOT EXISTS (SELECT 1 FROM " + std::string(kStaging) + " s WHERE " +
                       key_match(plan, q) + ")" + scope;
  if (soft)
    return "UPDATE " + plan.qualified_table + " t SET " + kDeletedAt + " = now() WHERE t." +
           kDeletedAt + " IS NULL AND " + absent;
  return "DELETE FROM " + plan.qualified_table + " t WHERE " + absent;
}

std::string count_sql(const TablePlan& plan, const std::string& scope) {
  return "SELECT count(*) FROM " + plan.qualified_table + " t WHERE true" + scope;
}

std::string staged_count_sql(const std::string& scope) {
  return "SELECT count(*) FROM " + std::string(kStaging) + " t WHERE true" + scope;
}

std::string replace_delete_sql(const TablePlan& plan, const std::string& scope) {
  return "DELETE FROM " + plan.qualified_table + " t WHERE true" + scope;
}

std::string replace_insert_sql(const TablePlan& plan, const Quoting& q, const std::string& scope) {
  std::vector<std::string> cols = data_columns(plan, fanned_out(plan));
  return "INSERT INTO " + plan.qualified_table + " (" + q.names(cols) + ", " + kSyncedAt +
         ") SELECT " + q.names(cols) + ", now() FROM " + kStaging + " t WHERE true" + scope +
         " ORDER BY " + kSeq;
}

}  // namespace ccetl::warehouse
