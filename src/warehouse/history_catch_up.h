// Catching a history table up with its table after runs that did not keep it. Pure string
// building, like history_sql.h.
//
// A history table is in step with its table only if every run that changed the table also
// versioned the change. A run with `history: true` turned off (or of another job writing the
// table) changes the table and leaves the history behind: rows hard-deleted meanwhile keep a
// current version, rows changed meanwhile show their old values as current, rows added meanwhile
// have none. Each run records in ccetl.runs.history whether it kept the history; a run with
// history whose predecessor did not catches up (HistoryPlan::catch_up). A run whose predecessor
// kept it (the normal case) runs none of this: it costs one catalog query at prepare.
#pragma once

#include <string>

#include "warehouse/history_plan.h"
#include "warehouse/schema_plan.h"
#include "warehouse/warehouse.h"

namespace ccetl::warehouse {

// Whether the last successful run that wrote `spec`'s table kept its history: one row, one
// boolean. "Wrote the table": a run of this job, or of a job that ccetl.columns names for the
// table (the job was renamed, or another job had this table), so run it before this run
// records its columns there. False when no such run is recorded, or it predates
// ccetl.runs.history (NULL): the check errs towards a catch-up, which changes nothing when the
// history matches the table anyway.
std::string history_kept_sql(const TableSpec& spec, const Quoting& q);

// The catch-up, run after the merge and deletes (so that a row this run changes or deletes is
// versioned by those statements, at T, and never gets an empty [T, T) version from here). Both
// compare the table's live rows (`_deleted_at IS NULL` when it has that column) with the current
// versions, over all data columns:
//   close  closes at T every current version whose key is not live or whose content differs
//          (hard- or soft-deleted, or changed, while history was off)
//   open   opens [T, infinity) for every live row without a current version (added or changed
//          while history was off, or revived)
// A change made while history was off is dated T, the run that found it; values a row held only
// in between are not recorded.
std::string history_catch_up_close_sql(const TablePlan& plan, const HistoryPlan& history,
                                       const Quoting& q);
std::string history_catch_up_open_sql(const TablePlan& plan, const HistoryPlan& history,
                                      const Quoting& q);

}  // namespace ccetl::warehouse
