#include "warehouse/schema_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "warehouse/naming.h"
#include "warehouse/sql_types.h"

namespace ccetl::warehouse {
namespace {

void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > kMaxIdentifierBytes || sanitize_utf8(name) != name)
    throw Error(ErrorKind::Config,
                what + " name '" + sanitize_utf8(name) + "' must be 1 to 63 bytes of valid UTF-8");
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

ViewDefinition define_view(const std::vector<PlannedColumn>& table_columns, const std::string& view,
                           const std::string& table, const Quoting& q, bool live_only) {
  std::vector<std::string> view_fields, fallback, reserved;
  for (const auto& c : table_columns) {
    if (c.field_name) {
      view_fields.push_back(*c.field_name);
      fallback.push_back(c.name);
    } else {
      reserved.push_back(c.name);
    }
  }
  std::vector<std::string> names = view_column_names(view_fields, fallback, reserved);
  ViewDefinition out;
  std::string select;
  for (std::size_t i = 0, f = 0; i < table_columns.size(); ++i) {
    const auto& c = table_columns[i];
    std::string name = c.field_name ? names[f++] : c.name;
    out.columns.push_back({name, c.sql_type, ""});
    select += std::string(i ? ",\n  " : "  ") + q.name(c.name) + " AS " + q.name(name);
  }
  out.body = " VIEW " + view + " AS SELECT\n" + select + "\nFROM " + table;
  if (live_only) out.body += "\nWHERE " + std::string(kDeletedAt) + " IS NULL";
  out.live_only = live_only;
  return out;
}

// Keeps the view current: CREATE when missing or dropped for a type change, CREATE OR REPLACE
// when columns were only appended, DROP + CREATE when names or order changed and nothing
// depends on it (else a note). Grants are re-applied to a recreated view.
void plan_view_update(const ExistingTable& existing, const ViewDefinition& wanted,
                      const std::string& view, bool drop_view, SchemaPlan& plan) {
  const auto& have = existing.view_columns;
  bool prefix = existing.view_exists && have.size() <= wanted.columns.size();
  for (std::size_t i = 0; prefix && i < have.size(); ++i)
    prefix =
        have[i].name == wanted.columns[i].name && have[i].sql_type == wanted.columns[i].sql_type;
  bool same = prefix && have.size() == wanted.columns.size() &&
              existing.view_live_only == wanted.live_only;
  if (!existing.view_exists || drop_view) {
    plan.ddl.push_back("CREATE" + wanted.body);
  } else if (same) {
    return;
  } else if (prefix) {
    plan.ddl.push_back("CREATE OR REPLACE" + wanted.body);
  } else if (existing.view_dependents.empty()) {
    plan.ddl.push_back("DROP VIEW " + view);
    plan.ddl.push_back("CREATE" + wanted.body);
    drop_view = true;
  } else {
    plan.notes.push_back("the view " + view +
                         " is not updated (its columns changed name or order) because these "
                         "views depend on it: " +
                         join(existing.view_dependents));
  }
  if (drop_view)
    for (const auto& g : existing.view_grants)
      plan.ddl.push_back("GRANT " + g.privilege + " ON " + view + " TO " + g.grantee_quoted +
                         (g.grantable ? " WITH GRANT OPTION" : ""));
}

TablePlan make_plan(const TableSpec& spec, const std::vector<Field>& fields,
                    const ExistingTable& existing, const Quoting& q) {
  check_name("schema", spec.schema);
  check_name("table", spec.table);
  TablePlan out;
  SchemaPlan& plan = out.schema;
  plan.table_exists = existing.exists;
  const std::string table = q.name(spec.schema) + "." + q.name(spec.table);
  out.qualified_table = table;
  out.fan_out = spec.project_key_column;
  const bool with_tz = !spec.time_zone.empty();
  const bool keyed = !spec.key_fields.empty();

  std::map<std::string, const ExistingColumn*> actual;
  for (const auto& c : existing.columns) actual[c.name] = &c;
  std::map<std::string, const CatalogEntry*> by_identity;
  std::set<std::string> catalogued_columns;
  for (const auto& e : existing.catalog) {
    by_identity[e.identity] = &e;
    catalogued_columns.insert(e.column_name);
  }
  std::set<std::string> taken{kProjectKey, kMultiValues, kSyncedAt, kDeletedAt, kSeq, kRowHash};
  for (const auto& c : existing.columns) taken.insert(c.name);
  for (const auto& c : catalogued_columns) taken.insert(c);

  // 1. Map each field to a column: catalogue entry by identity, else an existing column of the
  //    sanitised name (only in a table from before the catalog), else a new one.
  std::set<std::string> identities_seen, columns_used;
  std::vector<std::string> adds, alters, comments;
  for (const auto& field : fields) {
    std::string identity = field.identity();
    for (int n = 2; identities_seen.count(identity); ++n)
      identity = field.identity() + "#" + std::to_string(n);
    identities_seen.insert(identity);
    const std::string wanted = sql_type_for(field.type, with_tz);
    ColumnInfo info{field.name, identity, "", wanted};
    const CatalogEntry* entry = by_identity.count(identity) ? by_identity[identity] : nullptr;
    if (entry && !columns_used.count(entry->column_name)) {
      info.column_name = entry->column_name;
      if (entry->field_name != field.name)
        plan.notes.push_back("field '" + entry->field_name + "' is now named '" + field.name +
                             "'; column " + info.column_name + " keeps its name");
    } else {
      std::string base = sanitize_column_name(field.name);
      // Adopt an existing column only for a table that predates the catalog; otherwise a
      // column of that name is a user's own and must not be taken over.
      if (existing.exists && existing.catalog.empty() && actual.count(base) &&
          !columns_used.count(base)) {
        info.column_name = base;
      } else {
        info.column_name = assign_column_name(field.name, [&](const std::string& n) {
          return taken.count(n) > 0 || columns_used.count(n) > 0;
        });
      }
    }
    columns_used.insert(info.column_name);
    taken.insert(info.column_name);

    auto it = actual.find(info.column_name);
    if (it == actual.end()) {
      adds.push_back(q.name(info.column_name) + " " + wanted);
      if (existing.exists)
        plan.notes.push_back("new column " + info.column_name + " " + wanted + " for field '" +
                             field.name + "'");
      comments.push_back("COMMENT ON COLUMN " + table + "." + q.name(info.column_name) + " IS " +
                         q.literal(field.name));
    } else {
      const ExistingColumn& col = *it->second;
      info.sql_type = col.sql_type;
      if (auto wider = widen(col.sql_type, wanted)) {
        info.sql_type = *wider;
        std::string using_expr = widening_expression(q.name(col.name), col.sql_type, *wider);
        if (*wider == "timestamp with time zone" && with_tz)
          using_expr = q.name(col.name) + " AT TIME ZONE " + q.literal(spec.time_zone);
        alters.push_back("ALTER COLUMN " + q.name(col.name) + " TYPE " + *wider + " USING " +
                         using_expr);
        plan.notes.push_back("column " + col.name + " widened from " + col.sql_type + " to " +
                             *wider + " (field '" + field.name + "' is now " +
                             std::string(to_string(field.type)) + ")");
        if (auto dep = existing.column_dependents.find(col.name);
            dep != existing.column_dependents.end())
          plan.blockers.push_back("column " + col.name + " of " + table + " must change type to " +
                                  *wider + " but these views depend on it: " + join(dep->second));
      } else if (col.sql_type != wanted) {
        plan.notes.push_back("field '" + field.name + "' is " + std::string(to_string(field.type)) +
                             "; column " + col.name + " stays " + col.sql_type);
      }
      if (col.comment != field.name)
        comments.push_back("COMMENT ON COLUMN " + table + "." + q.name(col.name) + " IS " +
                           q.literal(field.name));
    }
    plan.columns.push_back(std::move(info));
  }
  for (const auto& e : existing.catalog)
    if (!identities_seen.count(e.identity) && actual.count(e.column_name) &&
        !columns_used.count(e.column_name))
      plan.notes.push_back("field '" + e.field_name + "' is not in this run; column " +
                           e.column_name + " is kept");

  // 2. Key columns.
  if (spec.project_key_column) out.key_columns.push_back(kProjectKey);
  for (const auto& key : spec.key_fields) {
    auto f =
        std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == key; });
    if (f == fields.end())
      throw Error(ErrorKind::Config,
                  "key field '" + key + "' is not among the fields of job '" + spec.job + "'");
    out.key_columns.push_back(plan.columns[f - fields.begin()].column_name);
  }
  if (!keyed) out.key_columns.clear();  // full refresh: project_key is a plain column
  out.deleted_at_column =
      (keyed && spec.deletes == DeleteMode::Soft) || actual.count(kDeletedAt) > 0;

  // 3. Table DDL.
  // Only when missing: CREATE SCHEMA needs CREATE on the database even with IF NOT EXISTS, which
  // a least-privilege role (sql/roles.sql) does not have.
  if (!existing.schema_exists)
    plan.ddl.push_back("CREATE SCHEMA IF NOT EXISTS " + q.name(spec.schema));
  std::vector<std::string> system_adds;
  if (spec.project_key_column && !actual.count(kProjectKey))
    system_adds.push_back(std::string(kProjectKey) + " text" +
                          (existing.exists ? "" : " NOT NULL"));
  if (!actual.count(kMultiValues)) system_adds.push_back(std::string(kMultiValues) + " jsonb");
  if (!actual.count(kSyncedAt))
    system_adds.push_back(std::string(kSyncedAt) + " timestamptz NOT NULL DEFAULT now()");
  if (out.deleted_at_column && !actual.count(kDeletedAt))
    system_adds.push_back(std::string(kDeletedAt) + " timestamptz");
  // A table from before the row hash gets it as NULL (no rewrite); its first merge fills it in.
  if (keyed && !actual.count(kRowHash)) system_adds.push_back(std::string(kRowHash) + " uuid");

  std::vector<PlannedColumn> table_columns;  // final table order, for the view
  std::map<std::string, std::string> field_of_column;
  for (const auto& e : existing.catalog) field_of_column[e.column_name] = e.field_name;
  for (const auto& c : plan.columns) field_of_column[c.column_name] = c.field_name;
  std::map<std::string, std::string> type_of_column;
  for (const auto& c : existing.columns) type_of_column[c.name] = c.sql_type;
  for (const auto& c : plan.columns) type_of_column[c.column_name] = c.sql_type;

  if (!existing.exists) {
    plan.notes.push_back("new table " + table + " with " + std::to_string(plan.columns.size()) +
                         " field columns" + (keyed ? "" : " (full refresh: no key)"));
    std::vector<std::string> defs;
    if (spec.project_key_column) defs.push_back(system_adds.front());
    defs.insert(defs.end(), adds.begin(), adds.end());
    for (std::size_t i = spec.project_key_column ? 1 : 0; i < system_adds.size(); ++i)
      defs.push_back(system_adds[i]);
    std::string sql = "CREATE TABLE " + table + " (\n";
    for (std::size_t i = 0; i < defs.size(); ++i)
      sql += "  " + defs[i] + (i + 1 < defs.size() ? ",\n" : "\n");
    plan.ddl.push_back(sql + ")");
    if (keyed) {
      // A statement of its own, so that a first load can build the index after its rows are in.
      std::string key;
      for (const auto& k : out.key_columns) key += (key.empty() ? "" : ", ") + q.name(k);
      out.primary_key_ddl = "ALTER TABLE " + table + " ADD PRIMARY KEY (" + key + ")";
      plan.ddl.push_back(out.primary_key_ddl);
    }
    if (spec.project_key_column) table_columns.push_back({kProjectKey, "text", std::nullopt});
    for (const auto& c : plan.columns)
      table_columns.push_back({c.column_name, c.sql_type, c.field_name});
    table_columns.push_back({kMultiValues, "jsonb", std::nullopt});
    table_columns.push_back({kSyncedAt, "timestamp with time zone", std::nullopt});
    if (out.deleted_at_column)
      table_columns.push_back({kDeletedAt, "timestamp with time zone", std::nullopt});
  } else {
    std::vector<std::string> all = adds;
    all.insert(all.end(), system_adds.begin(), system_adds.end());
    if (!all.empty()) {
      std::string sql = "ALTER TABLE " + table;
      for (std::size_t i = 0; i < all.size(); ++i)
        sql += (i ? ",\n  ADD COLUMN " : "\n  ADD COLUMN ") + all[i];
      plan.ddl.push_back(sql);
    }
    for (const auto& c : existing.columns) {
      bool generated = catalogued_columns.count(c.name) || columns_used.count(c.name);
      bool system = c.name == kProjectKey || c.name == kMultiValues || c.name == kSyncedAt ||
                    c.name == kDeletedAt;
      if (generated)
        table_columns.push_back({c.name, type_of_column[c.name], field_of_column[c.name]});
      else if (system)
        table_columns.push_back({c.name, c.sql_type, std::nullopt});
    }
    auto added_name = [&](const std::string& def) { return def.substr(0, def.find(' ')); };
    for (const auto& c : plan.columns)
      if (!actual.count(c.column_name))
        table_columns.push_back({c.column_name, c.sql_type, c.field_name});
    for (const auto& def : system_adds) {
      std::string name = added_name(def);
      if (name == kRowHash) continue;  // internal: not in the view
      table_columns.push_back({name,
                               name == kMultiValues  ? "jsonb"
                               : name == kProjectKey ? "text"
                                                     : "timestamp with time zone",
                               std::nullopt});
    }
    if (keyed) {
      std::set<std::string> key_set(out.key_columns.begin(), out.key_columns.end());
      if (std::find(existing.unique_keys.begin(), existing.unique_keys.end(), key_set) ==
          existing.unique_keys.end()) {
        std::string key;
        for (const auto& k : out.key_columns) key += (key.empty() ? "" : ", ") + q.name(k);
        plan.ddl.push_back("CREATE UNIQUE INDEX ON " + table + " (" + key + ")");
        plan.notes.push_back("adding a unique index on the key (" + key + ")");
      }
    }
  }

  // 4. The BI view: it must be dropped before a column type changes (it depends on the table).
  const std::string view = q.name(spec.schema) + "." + q.name(view_name(spec.table));
  ViewDefinition wanted = define_view(table_columns, view, table, q, out.deleted_at_column);
  out.table_columns = table_columns;
  bool drop_view = false;
  if (existing.view_name_taken_by_other) {
    plan.notes.push_back(view + " exists and is not a view; the BI view is not maintained");
  } else if (!alters.empty() && existing.view_exists) {
    if (!existing.view_dependents.empty())
      plan.blockers.push_back("the view " + view +
                              " must be recreated for a column type change "
                              "but these views depend on it: " +
                              join(existing.view_dependents));
    drop_view = true;
  }
  if (!alters.empty()) {
    if (drop_view) plan.ddl.push_back("DROP VIEW " + view);
    std::string sql = "ALTER TABLE " + table;
    for (std::size_t i = 0; i < alters.size(); ++i) sql += (i ? ",\n  " : "\n  ") + alters[i];
    plan.ddl.push_back(sql);
  }
  plan.ddl.insert(plan.ddl.end(), comments.begin(), comments.end());

  if (!existing.view_name_taken_by_other) plan_view_update(existing, wanted, view, drop_view, plan);
  return out;
}

}  // namespace ccetl::warehouse
