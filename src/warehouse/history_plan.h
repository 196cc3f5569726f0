// The shape of a job's history table (`history: true`), planned from the table's own plan.
// Pure: no database access (like schema_plan.h).
//
// `<schema>.<table>_history` (warehouse/naming.h: history_table_name) holds every version of
// every row of a keyed job's table:
//   the table's data columns      project_key (fan-out), one column per field, _multi_values;
//                                 same names, types and comments as in the table
//   _valid_from timestamptz NOT NULL  the run that wrote this version (its transaction's start)
//   _valid_to   timestamptz NOT NULL  the run that replaced or deleted it; 'infinity' while current
// A row's versions never overlap: at most one has _valid_to = 'infinity'. Indexes: the current
// version by key (the merge closes versions through it), and (_valid_from, _valid_to) for "as
// of" queries (`WHERE _valid_from <= T AND T < _valid_to`). The view `<table>_history_v` shows
// it with the original field names, like `<table>_v`.
//
// Evolution follows the table: a column the table gains is added, a widened column is widened
// the same way, a renamed question keeps its column (the name comes from the table's plan,
// which follows ccetl.columns) and its comment and view name follow. Nothing is dropped; a
// type change that a user's view on the history table blocks is refused naming the view.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "warehouse/schema_plan.h"
#include "warehouse/table_state.h"
#include "warehouse/warehouse.h"

namespace ccetl::warehouse {

inline constexpr const char* kValidFrom = "_valid_from";
inline constexpr const char* kValidTo = "_valid_to";

struct HistoryPlan {
  std::string qualified_table;           // "schema"."table_history", quoted
  std::vector<std::string> columns;      // the data columns it shares with the table
  std::vector<std::string> key_columns;  // the table's key ([project_key,] key columns)
  // Created by this run, or the table is (a history table left from a dropped table): its
  // current versions are seeded from the table's live rows before the merge (after the rows are
  // in, for a table's first load).
  bool seed = false;
  // The history table outlived its table: its current versions are closed before the seed.
  bool close_current = false;
  bool table_has_deleted_at = false;     // seed only rows with _deleted_at IS NULL
  // The history table and its table both exist, but the last successful run that wrote the
  // table did not keep the history (history was turned off for a while: history_kept_sql). Its
  // current versions are then made to match the table's live rows after the merge
  // (history_catch_up_*_sql). Set by the loader, not by plan_history (which reads no catalog).
  bool catch_up = false;
  // plan_history's statements are table.schema.ddl[ddl_begin, end): the loader locks the
  // history view and table before them (table_load.cpp, apply_schema_changes).
  std::size_t ddl_begin = 0;
};

// Plans the history table of `spec` for a table planned as `table`; appends its DDL, notes and
// blockers to `table.schema`. `history` is the history table's current state (read_existing
// on history_table_name). Throws Error(Config) for a job without a key.
HistoryPlan plan_history(const TableSpec& spec, TablePlan& table, const ExistingTable& history,
                         const Quoting& q);

}  // namespace ccetl::warehouse
