// Rows of the push SQL with their column types (read in batches by push/query_cursor.h).
// run_read_query (warehouse/queries.h) returns text only; a push body must keep integers,
// booleans and json columns typed, and attachments must tell bytea from file paths, so push
// jobs read the column type OIDs as well.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccetl::push {

// PostgreSQL type OIDs push jobs treat specially (pg_type.oid, stable across versions).
namespace oid {
constexpr uint32_t kBool = 16;
constexpr uint32_t kBytea = 17;
constexpr uint32_t kInt8 = 20;
constexpr uint32_t kInt2 = 21;
constexpr uint32_t kInt4 = 23;
constexpr uint32_t kJson = 114;
constexpr uint32_t kFloat4 = 700;
constexpr uint32_t kFloat8 = 701;
constexpr uint32_t kByteaArray = 1001;
constexpr uint32_t kTextArray = 1009;
constexpr uint32_t kVarcharArray = 1015;
constexpr uint32_t kNumeric = 1700;
constexpr uint32_t kJsonb = 3802;
}  // namespace oid

struct TypedColumn {
  std::string name;
  uint32_t type_oid = 0;
  // A bytea column whose cells hold the decoded bytes, not PostgreSQL's hex text
  // (QueryCursor decodes the columns it is asked to, straight from the driver's result).
  bool decoded_bytes = false;
};

struct TypedResult {
  std::vector<TypedColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // text form; nullopt = NULL

  // Index of the column named `name`, or -1.
  int index_of(const std::string& name) const;
};

}  // namespace ccetl::push
