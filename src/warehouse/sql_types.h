// Column types and the widening lattice used when a field's type changes between runs.
//
// Lattice (never narrows, never loses data):
//   same type                               -> unchanged
//   bigint + double precision               -> numeric (int -> double loses digits above 2^53)
//   numeric + bigint/double precision       -> numeric
//   timestamp + timestamptz                 -> timestamptz (local times read in the job's zone)
//   text + anything                         -> text
//   anything else                           -> text
// A column whose type is outside the lattice (changed by a user) is left alone.
#pragma once

#include <optional>
#include <string>

#include "core/types.h"

namespace ccetl::warehouse {

// The column type for a field: boolean, bigint, double precision, timestamp or
// timestamp with time zone (when `with_time_zone`), text. Spelled as format_type() does.
std::string sql_type_for(DataType type, bool with_time_zone);

// True for the types this lattice knows (the spellings above plus numeric).
bool known_sql_type(const std::string& sql_type);

// The type an existing column of `existing` type must become to also hold `wanted` values:
// nullopt when it can stay as it is.
std::optional<std::string> widen(const std::string& existing, const std::string& wanted);

// The ALTER ... USING expression that converts `quoted_column` from `existing` to `wider` while
// keeping every stored value exact. double precision goes through its text form: `::numeric`
// keeps only 15 significant digits, while float8's text output is the shortest text that reads
// back as the same double when extra_float_digits >= 1 (PostgreSQL 12+; the run sets it, see
// kExactFloatText), e.g. 0.12345678901234568.
std::string widening_expression(const std::string& quoted_column, const std::string& existing,
                                const std::string& wider);

// Run at the start of every load transaction, so float8 -> text/numeric conversions are exact.
inline constexpr const char* kExactFloatText = "SET LOCAL extra_float_digits = 1";

}  // namespace ccetl::warehouse
