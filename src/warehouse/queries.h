// Read-only queries the pipeline and push jobs run against the warehouse: `find_sql`,
// `push.sql`, and the project list of a fan-out job. Separate from the load path on purpose:
// these run in their own read-only transaction, never inside a run's load transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ccetl {

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // text form; nullopt = NULL
};

// Runs `sql` in a READ ONLY transaction. Throws Error(Permanent) naming the query's problem, or
// Error(Transient) when the database is unreachable.
QueryResult run_read_query(const std::string& dsn, const std::string& sql);

// The distinct non-empty values of the column generated for `field` of `job`'s table (looked up
// in ccetl.columns), in sorted order. Throws Error(Config) when the job has not run yet or has no
// such field. Rows soft-deleted (`_deleted_at` set) are left out.
std::vector<std::string> distinct_field_values(const std::string& dsn, const std::string& job,
                                               const std::string& field);

}  // namespace ccetl
