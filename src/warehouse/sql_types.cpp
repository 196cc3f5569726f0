#include "warehouse/sql_types.h"

namespace ccetl::warehouse {
namespace {
constexpr const char* kTimestampTz = "timestamp with time zone";
constexpr const char* kTimestamp = "timestamp without time zone";

bool numeric_family(const std::string& t) {
  return t == "bigint" || t == "double precision" || t == "numeric";
}
}  // namespace

std::string sql_type_for(DataType type, bool with_time_zone) {
  switch (type) {
    case DataType::Boolean:
      return "boolean";
    case DataType::Integer:
      return "bigint";
    case DataType::Double:
      return "double precision";
    case DataType::Date:
      return with_time_zone ? kTimestampTz : kTimestamp;
    case DataType::String:
      return "text";
  }
  return "text";
}

bool known_sql_type(const std::string& t) {
  return t == "boolean" || numeric_family(t) || t == kTimestamp || t == kTimestampTz || t == "text";
}

std::optional<std::string> widen(const std::string& existing, const std::string& wanted) {
  if (existing == wanted || existing == "text" || !known_sql_type(existing)) return std::nullopt;
  if (numeric_family(existing) && numeric_family(wanted))
    return existing == "numeric" ? std::nullopt : std::optional<std::string>("numeric");
  if (existing == kTimestampTz && wanted == kTimestamp) return std::nullopt;
  if (existing == kTimestamp && wanted == kTimestampTz) return std::string(kTimestampTz);
  return std::string("text");
}

std::string widening_expression(const std::string& quoted_column, const std::string& existing,
                                const std::string& wider) {
  if (existing == "double precision" && wider != "text") return quoted_column + "::text::" + wider;
  return quoted_column + "::" + wider;
}

}  // namespace ccetl::warehouse
