// What the database currently holds for one job's table: read at the start of plan() and of
// each run (inside the run's transaction), consumed by make_plan().
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

namespace ccetl::warehouse {

struct ExistingColumn {
  std::string name;
  std::string sql_type;  // format_type() spelling
  std::string comment;
};

// One row of ccetl.columns for this table.
struct CatalogEntry {
  std::string identity;
  std::string field_name;
  std::string column_name;
  std::string sql_type;
};

struct ViewGrant {
  std::string privilege;       // e.g. SELECT
  std::string grantee_quoted;  // quoted role name or PUBLIC
  bool grantable = false;
};

struct ExistingTable {
  bool schema_exists = false;
  bool exists = false;
  std::vector<ExistingColumn> columns;             // in attnum order
  std::vector<std::set<std::string>> unique_keys;  // column sets of plain unique indexes
  std::map<std::string, std::set<std::string>> column_dependents;  // column -> other views
  std::vector<CatalogEntry> catalog;                               // empty when no catalog yet
  bool view_name_taken_by_other = false;  // `<table>_v` exists and is not a view
  bool view_exists = false;
  std::vector<ExistingColumn> view_columns;  // name and type, in order
  bool view_live_only = false;               // it filters out soft-deleted rows
  std::set<std::string> view_dependents;     // views built on our view
  std::vector<ViewGrant> view_grants;        // grants to re-apply if we recreate it
};

// Reads the state of `schema`.`table` (and its BI view) through `tx`. Throws pqxx exceptions.
ExistingTable read_existing(pqxx::transaction_base& tx, const std::string& schema,
                            const std::string& table);

}  // namespace ccetl::warehouse
