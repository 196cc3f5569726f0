// The statements of a run's load, built from its TablePlan. Pure string building.
//
// Staging is a TEMP table (ON COMMIT DROP) laid out exactly like DecodedPage::copy_text:
//   _seq bigint, [project_key text], one column per field (typed as the target column),
//   _multi_values jsonb
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "warehouse/schema_plan.h"

namespace ccetl::warehouse {

inline constexpr const char* kStaging = "ccetl_staging";

std::string staging_ddl(const TablePlan& plan, const Quoting& q);
// COPY into staging of lines that carry the fields at `field_indexes` (positions in
// plan.schema.columns, in line order; see TableLoad::use_fields). The other columns stay NULL.
std::string copy_sql(const TablePlan& plan, const Quoting& q,
                     const std::vector<std::size_t>& field_indexes);
// Every field, in plan order.
std::vector<std::size_t> all_fields(const TablePlan& plan);

// First load into a table this run created: COPY straight into it (FREEZE: the rows are
// visible to everyone once the run commits, so they are written frozen and all-visible, and
// never rewritten by VACUUM), without `_seq`.
std::string direct_copy_sql(const TablePlan& plan, const Quoting& q,
                            const std::vector<std::size_t>& field_indexes);
// Removes all but the last copy of each key from that table. Relies on a single COPY into a new
// table appending rows in order, so the later of two duplicates has the greater ctid.
std::string direct_dedupe_sql(const TablePlan& plan, const Quoting& q);

// ANALYZE of staging's key columns and `_seq` only: the merge's joins and DISTINCT ON plan with
// those; sampling the wide data columns costs seconds per million rows and informs no plan.
std::string analyze_staging_sql(const TablePlan& plan, const Quoting& q);

// Keyed merge: one statement returning (distinct rows, inserted, updated). Rows are deduplicated
// last-wins by _seq; unchanged rows are not written (their xmin stays). With `target_empty`
// the ON CONFLICT clause is left out (a plain INSERT is about twice as fast); the job lock
// guarantees no concurrent writer.
std::string upsert_sql(const TablePlan& plan, const Quoting& q, bool target_empty = false);
// upsert_sql's parts, for statements that extend it (history_sql.h): the CTEs `src` (staging
// deduplicated) and `ins` (the merge, RETURNING `_inserted` then `returning`, e.g. ", t.a"),
// and the SELECT of the three counts from them.
std::string upsert_ctes(const TablePlan& plan, const Quoting& q, bool target_empty,
                        const std::string& returning = "");
std::string upsert_counts_select();

// What the completeness check counts, per project: rows (project_key, n) with n the distinct
// keys (keyed jobs, project_key left out of the key) or the rows (full refresh) in `relation`
// (staging, or the new table of a first load). project_key is '' when the job does not fan out.
std::string staged_counts_sql(const TablePlan& plan, const Quoting& q, const std::string& relation);

// The rows a delete or a replacement may touch: " AND <alias>.project_key IN (...)" for a
// fanned-out table, "" otherwise (the whole table). `projects` are the complete projects and
// must not be empty.
std::string project_scope(const TablePlan& plan, const Quoting& q,
                          const std::vector<std::string>& projects, const std::string& alias);

// Keyed deletes within `scope` (project_scope with alias "t"). `delete_counts_sql` returns (live
// rows, rows absent from staging) among the rows a delete may touch; `delete_sql` soft- or
// hard-deletes the absent ones.
std::string delete_counts_sql(const TablePlan& plan, const Quoting& q, bool soft,
                              const std::string& scope = "");
std::string delete_sql(const TablePlan& plan, const Quoting& q, bool soft,
                       const std::string& scope = "");

// Full refresh within `scope` (project_scope, alias "t"): the rows' count, then DELETE them and
// INSERT the scope's snapshot in _seq order.
std::string count_sql(const TablePlan& plan, const std::string& scope = "");
std::string staged_count_sql(const std::string& scope = "");
std::string replace_delete_sql(const TablePlan& plan, const std::string& scope = "");
std::string replace_insert_sql(const TablePlan& plan, const Quoting& q,
                               const std::string& scope = "");

}  // namespace ccetl::warehouse
