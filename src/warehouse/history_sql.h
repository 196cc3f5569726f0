// The statements that keep a history table (history_plan.h) in step with its table's merge and
// deletes. Pure string building, like merge_sql.h.
//
// Every version written in a run starts or ends at now(): the start of the run's transaction,
// one timestamp T for the whole run (also the `_synced_at` of the rows it changed). The
// versions are written by the same statement that changes the table, from its RETURNING rows,
// so only rows the merge actually wrote get a version: an unchanged resync writes nothing.
#pragma once

#include <string>

#include "warehouse/history_plan.h"
#include "warehouse/merge_sql.h"
#include "warehouse/schema_plan.h"

namespace ccetl::warehouse {

// upsert_sql plus history: for every row the merge inserted or changed, the key's current
// version (if any) is closed at T and a new one opened [T, infinity). Returns one row:
// (distinct rows, inserted, updated, versions opened, versions closed).
std::string history_upsert_sql(const TablePlan& plan, const HistoryPlan& history, const Quoting& q,
                               const MergeShape& shape);

// delete_sql (limited to `scope`, as there) plus history: the current version of every row soft-
// or hard-deleted is closed at T. Returns one row: (rows deleted, versions closed).
std::string history_delete_sql(const TablePlan& plan, const HistoryPlan& history, const Quoting& q,
                               bool soft, const std::string& scope);

// Seeds a history table created by this run: one current version per live row of the table,
// valid from the row's `_synced_at` (when ccetl last saw its content change).
std::string history_seed_sql(const TablePlan& plan, const HistoryPlan& history, const Quoting& q);
// Closes every current version at T (before a seed, when the table was dropped and recreated).
std::string history_close_current_sql(const HistoryPlan& history);

}  // namespace ccetl::warehouse
