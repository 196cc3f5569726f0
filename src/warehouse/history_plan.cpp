#include "warehouse/history_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "warehouse/naming.h"
#include "warehouse/sql_types.h"

namespace ccetl::warehouse {
namespace {

constexpr const char* kTimestampTz = "timestamp with time zone";

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool is_data_column(const PlannedColumn& c) {
  return c.name != kSyncedAt && c.name != kDeletedAt;
}

}  // namespace

HistoryPlan plan_history(const TableSpec& spec, TablePlan& table, const ExistingTable& history,
                         const Quoting& q) {
  if (table.key_columns.empty())
    throw Error(ErrorKind::Config, "job '" + spec.job +
                                       "': history needs a key (a full refresh replaces the "
                                       "whole table and has no row identity to version)");
  SchemaPlan& plan = table.schema;
  const std::string name = history_table_name(spec.table);
  HistoryPlan out;
  out.qualified_table = q.name(spec.schema) + "." + q.name(name);
  out.key_columns = table.key_columns;
  out.ddl_begin = plan.ddl.size();
  const std::string& hist = out.qualified_table;

  std::vector<PlannedColumn> data;
  for (const auto& c : table.table_columns)
    if (is_data_column(c)) {
      data.push_back(c);
      out.columns.push_back(c.name);
    } else if (c.name == kDeletedAt) {
      out.table_has_deleted_at = true;
    }

  std::map<std::string, const ExistingColumn*> actual;
  for (const auto& c : history.columns) actual[c.name] = &c;
  if (history.exists && (!actual.count(kValidFrom) || !actual.count(kValidTo))) {
    plan.blockers.push_back(hist + " exists but is not a ccetl history table (it has no " +
                            kValidFrom + " and " + kValidTo + " columns)");
    return out;
  }

  out.seed = !history.exists || !plan.table_exists;
  out.close_current = history.exists && !plan.table_exists;
  if (out.close_current)
    plan.notes.push_back(hist + " outlived its table: its current versions are closed and the "
                                "new table's rows open new ones");
  std::vector<std::string> adds, alters, comments;
  std::vector<PlannedColumn> final_columns;  // history table order, for its view
  for (const auto& c : history.columns) {
    if (c.name == kValidFrom || c.name == kValidTo) {
      final_columns.push_back({c.name, c.sql_type, std::nullopt});
      continue;
    }
    auto it = std::find_if(data.begin(), data.end(), [&](const auto& d) { return d.name == c.name; });
    if (it == data.end()) continue;  // a column of the user's
    std::string type = c.sql_type;
    if (auto wider = widen(c.sql_type, it->sql_type)) {
      type = *wider;
      // The table's own expression (exact for doubles), so both hold the same values.
      std::string using_expr = widening_expression(q.name(c.name), c.sql_type, *wider);
      if (*wider == kTimestampTz && !spec.time_zone.empty())
        using_expr = q.name(c.name) + " AT TIME ZONE " + q.literal(spec.time_zone);
      alters.push_back("ALTER COLUMN " + q.name(c.name) + " TYPE " + *wider + " USING " +
                       using_expr);
      if (auto dep = history.column_dependents.find(c.name);
          dep != history.column_dependents.end())
        plan.blockers.push_back("column " + c.name + " of " + hist + " must change type to " +
                                *wider + " but these views depend on it: " + join(dep->second));
    }
    if (it->field_name && c.comment != *it->field_name)
      comments.push_back("COMMENT ON COLUMN " + hist + "." + q.name(c.name) + " IS " +
                         q.literal(*it->field_name));
    final_columns.push_back({c.name, type, it->field_name});
  }
  for (const auto& d : data) {
    if (actual.count(d.name)) continue;
    adds.push_back(q.name(d.name) + " " + d.sql_type);
    if (d.field_name)
      comments.push_back("COMMENT ON COLUMN " + hist + "." + q.name(d.name) + " IS " +
                         q.literal(*d.field_name));
    final_columns.push_back(d);
  }

  if (!history.exists) {
    final_columns.push_back({kValidFrom, kTimestampTz, std::nullopt});
    final_columns.push_back({kValidTo, kTimestampTz, std::nullopt});
    plan.notes.push_back("new history table " + hist +
                         (plan.table_exists ? ", seeded with the table's live rows" : ""));
    std::string sql = "CREATE TABLE " + hist + " (\n";
    for (const auto& def : adds) sql += "  " + def + ",\n";
    sql += std::string("  ") + kValidFrom + " timestamptz NOT NULL,\n  " + kValidTo +
           " timestamptz NOT NULL DEFAULT 'infinity'\n)";
    plan.ddl.push_back(sql);
    std::string key;
    for (const auto& k : out.key_columns) key += (key.empty() ? "" : ", ") + q.name(k);
    plan.ddl.push_back("CREATE INDEX ON " + hist + " (" + key + ") WHERE " + kValidTo +
                       " = 'infinity'");
    plan.ddl.push_back("CREATE INDEX ON " + hist + " (" + kValidFrom + ", " + kValidTo + ")");
    plan.ddl.push_back("COMMENT ON TABLE " + hist + " IS " +
                       q.literal("ccetl history of " + spec.schema + "." + spec.table +
                                 ": one row per version, valid from _valid_from until _valid_to"));
  } else if (!adds.empty()) {
    std::string sql = "ALTER TABLE " + hist;
    for (std::size_t i = 0; i < adds.size(); ++i) sql += (i ? ",\n  ADD COLUMN " : "\n  ADD COLUMN ") + adds[i];
    plan.ddl.push_back(sql);
    for (const auto& a : adds)
      plan.notes.push_back("new history column " + a.substr(0, a.find(' ')) + " in " + hist);
  }

  // The view depends on every column: drop it before a type change, as for the table's view.
  const std::string view = q.name(spec.schema) + "." + q.name(view_name(name));
  bool drop_view = false;
  if (!alters.empty() && history.view_exists) {
    if (!history.view_dependents.empty())
      plan.blockers.push_back("the view " + view +
                              " must be recreated for a column type change but these views "
                              "depend on it: " +
                              join(history.view_dependents));
    drop_view = true;
    plan.ddl.push_back("DROP VIEW " + view);
  }
  if (!alters.empty()) {
    std::string sql = "ALTER TABLE " + hist;
    for (std::size_t i = 0; i < alters.size(); ++i) sql += (i ? ",\n  " : "\n  ") + alters[i];
    plan.ddl.push_back(sql);
  }
  plan.ddl.insert(plan.ddl.end(), comments.begin(), comments.end());
  if (history.view_name_taken_by_other)
    plan.notes.push_back(view + " exists and is not a view; the history view is not maintained");
  else
    plan_view_update(history, define_view(final_columns, view, hist, q, false), view, drop_view,
                     plan);
  return out;
}

}  // namespace ccetl::warehouse
