#include "warehouse/history_catch_up.h"

#include <vector>

namespace ccetl::warehouse {
namespace {

std::string list(const std::vector<std::string>& cols, const Quoting& q, const std::string& prefix) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + prefix + q.name(c);
  return out;
}

// Table row t and version h have the same key.
std::string same_key(const HistoryPlan& h, const Quoting& q) {
  std::string out;
  for (const auto& k : h.key_columns)
    out += (out.empty() ? "" : " AND ") + ("t." + q.name(k)) + " = h." + q.name(k);
  return out;
}

// Table row t is live.
std::string live(const HistoryPlan& h) {
  return h.table_has_deleted_at ? std::string(" AND t.") + kDeletedAt + " IS NULL" : std::string();
}

}  // namespace

std::string history_kept_sql(const TableSpec& spec, const Quoting& q) {
  return "SELECT coalesce((SELECT r.history FROM ccetl.runs r WHERE r.status = 'succeeded' AND "
         "(r.job = " + q.literal(spec.job) + " OR r.job IN (SELECT c.job FROM ccetl.columns c "
         "WHERE c.schema_name = " + q.literal(spec.schema) + " AND c.table_name = " +
         q.literal(spec.table) + ")) ORDER BY r.started_at DESC LIMIT 1), false)";
}

std::string history_catch_up_close_sql(const TablePlan& plan, const HistoryPlan& h,
                                       const Quoting& q) {
  return "UPDATE " + h.qualified_table + " h SET " + kValidTo + " = now() WHERE h." + kValidTo +
         " = 'infinity' AND NOT EXISTS (SELECT 1 FROM " + plan.qualified_table + " t WHERE " +
         same_key(h, q) + live(h) + " AND ROW(" + list(h.columns, q, "t.") +
         ") IS NOT DISTINCT FROM ROW(" + list(h.columns, q, "h.") + "))";
}

std::string history_catch_up_open_sql(const TablePlan& plan, const HistoryPlan& h,
                                      const Quoting& q) {
  return "INSERT INTO " + h.qualified_table + " (" + list(h.columns, q, "") + ", " + kValidFrom +
         ", " + kValidTo + ") SELECT " + list(h.columns, q, "t.") + ", now(), 'infinity' FROM " +
         plan.qualified_table + " t WHERE true" + live(h) + " AND NOT EXISTS (SELECT 1 FROM " +
         h.qualified_table + " h WHERE " + same_key(h, q) + " AND h." + kValidTo +
         " = 'infinity')";
}

}  // namespace ccetl::warehouse
