// From the fields of a run and the table's current state to the DDL that makes the table fit.
// Pure: no database access, so the rules (identity mapping, widening, view handling) are
// testable on their own. Quoting is passed in (libpqxx's quote_name/quote in production).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "warehouse/table_state.h"
#include "warehouse/warehouse.h"

namespace ccetl::warehouse {

struct Quoting {
  std::function<std::string(const std::string&)> name;     // identifier -> "quoted"
  std::function<std::string(const std::string&)> literal;  // text -> 'quoted'

  // `prefix."a", prefix."b"`: a column list for the statements the warehouse builds.
  std::string names(const std::vector<std::string>& columns, const std::string& prefix = "") const {
    std::string out;
    for (const auto& c : columns) out += (out.empty() ? "" : ", ") + prefix + name(c);
    return out;
  }
};

// System columns (see warehouse.h): project_key (fan-out), _multi_values, _synced_at,
// _deleted_at (keyed jobs with soft deletes), _row_hash (keyed jobs; row_hash.h), and staging's
// _seq. _row_hash is internal: neither the view nor the history table shows it.
inline constexpr const char* kProjectKey = "project_key";
inline constexpr const char* kMultiValues = "_multi_values";
inline constexpr const char* kSyncedAt = "_synced_at";
inline constexpr const char* kDeletedAt = "_deleted_at";
inline constexpr const char* kSeq = "_seq";
inline constexpr const char* kRowHash = "_row_hash";
inline constexpr const char* kSame = "_same";  // staging only: the line is a marker (row_hash.h)

// A column of the table as the view and the ALTERs see it, in table order.
struct PlannedColumn {
  std::string name;
  std::string sql_type;
  std::optional<std::string> field_name;  // set for generated (catalogued) columns
};

// A SchemaPlan plus what the loader needs to build staging and the merge.
struct TablePlan {
  SchemaPlan schema;
  std::vector<std::string> key_columns;  // project_key first when fanned out; empty = full refresh
  bool deleted_at_column = false;        // the table has (or gets) _deleted_at
  bool fan_out = false;                  // staging and table carry project_key
  std::string qualified_table;           // "schema"."table", quoted
  // For a new keyed table: the statement in schema.ddl that adds the primary key (empty else).
  std::string primary_key_ddl;
  // The table's generated and system columns after the plan's DDL, in table order (what the
  // view shows; the history table copies the data columns among them).
  std::vector<PlannedColumn> table_columns;
};

// A BI view over a table's columns in table order: original field names, system columns under
// their own names. `live_only` views leave out soft-deleted rows (`WHERE _deleted_at IS NULL`).
struct ViewDefinition {
  std::vector<ExistingColumn> columns;  // name and type, as pg_attribute will show them
  std::string body;                     // " VIEW <name> AS SELECT ..."
  bool live_only = false;
};
ViewDefinition define_view(const std::vector<PlannedColumn>& table_columns, const std::string& view,
                           const std::string& table, const Quoting& q, bool live_only);

// Keeps `view` (as `existing` describes it) equal to `wanted`, appending DDL and notes to
// `plan`: CREATE when missing or `drop_view` (already dropped for a type change), CREATE OR
// REPLACE when columns were only appended or the row filter changed, DROP + CREATE when names
// or order changed and nothing depends on it (else a note). Grants are re-applied to a
// recreated view.
void plan_view_update(const ExistingTable& existing, const ViewDefinition& wanted,
                      const std::string& view, bool drop_view, SchemaPlan& plan);

// Throws Error(Config) for unusable names or key fields missing from `fields`.
TablePlan make_plan(const TableSpec& spec, const std::vector<Field>& fields,
                    const ExistingTable& existing, const Quoting& quote);

}  // namespace ccetl::warehouse
