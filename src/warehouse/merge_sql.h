// The statements of a run's load, built from its TablePlan. Pure string building.
//
// Staging is a TEMP table (ON COMMIT DROP) laid out like DecodedPage::copy_text:
//   _seq bigint, [project_key text], one column per field (typed as the target column),
//   _multi_values jsonb, and for keyed tables _row_hash uuid, _same boolean (row_hash.h: the
//   loader appends them to each line; a `_same` line is a marker for an unchanged row)
#pragma once

#include <cstddef>
#include <cstdint>
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

// Whether any key occurs twice in staging: one row, or none. Only then does the merge sort
// staging to keep the last of each key (DISTINCT ON): a full-width sort of every staged row.
std::string duplicate_keys_sql(const TablePlan& plan, const Quoting& q);

// How the keyed merge runs. `target_empty`: the ON CONFLICT clause and the prefilter are left
// out (a plain INSERT is about twice as fast; the job lock guarantees no concurrent writer).
// `dedupe`: staging holds a key more than once (duplicate_keys_sql), so rows are deduplicated
// last-wins by _seq first. Without it the merge reads staging as it is, and the distinct rows
// are the `staged_rows`.
// `prefilter`: leave out rows whose key and hash match a live target row with an anti join
// (not needed when every page was looked up row by row while staging: row_lookup.h).
struct MergeShape {
  bool target_empty = false;
  bool dedupe = true;
  bool prefilter = true;
  int64_t staged_rows = 0;
};

// Keyed merge: one statement returning (distinct rows, inserted, updated). Rows whose key and
// _row_hash (row_hash.h) match a live target row are filtered out before ON CONFLICT, so they are
// not locked, not written and write no WAL (their xmin stays). The others are compared column by
// column as before: a row whose content is unchanged but whose hash differs gets the new hash
// and keeps its _synced_at, and counts as unchanged.
std::string upsert_sql(const TablePlan& plan, const Quoting& q, const MergeShape& shape);
// upsert_sql's parts, for statements that extend it (history_sql.h): the CTEs `src` (staging,
// deduplicated when asked) and `ins` (the merge, RETURNING `_inserted`, `_changed` (content
// changed: inserted, updated, or revived) then `returning`, e.g. ", t.a"), and the SELECT of
// the three counts from them.
std::string upsert_ctes(const TablePlan& plan, const Quoting& q, const MergeShape& shape,
                        const std::string& returning = "");
std::string upsert_counts_select(const MergeShape& shape);
// The distinct rows the merge read, as an SQL expression over `src`.
std::string distinct_count(const MergeShape& shape);

// The rows a keyed delete may touch (live ones when `soft`), for a table without fan-out:
// after the merge every staged key is live in the target, so the rows absent from staging are
// this count minus the distinct staged rows, with no anti join.
std::string live_count_sql(const TablePlan& plan, bool soft);

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
