#include "warehouse/table_state.h"

#include <pqxx/pqxx>

#include "warehouse/naming.h"

namespace ccetl::warehouse {
namespace {

// Views (and materialized views) whose rewrite rules reference `rel`, other than `rel` itself,
// with the column of `rel` each one uses (empty for whole-row references).
constexpr const char* kDependentsSql = R"(
SELECT DISTINCT coalesce(a.attname, ''), v.oid::regclass::text
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = $1::oid AND v.oid <> d.refobjid AND v.oid <> $2::oid)";

std::vector<ExistingColumn> read_columns(pqxx::transaction_base& tx, const std::string& oid) {
  std::vector<ExistingColumn> out;
  for (const auto& row : tx.exec_params(
           "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
           "coalesce(col_description(a.attrelid, a.attnum), '') FROM pg_attribute a "
           "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
           oid))
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  return out;
}

}  // namespace

ExistingTable read_existing(pqxx::transaction_base& tx, const std::string& schema,
                            const std::string& table) {
  ExistingTable state;
  const char* kRelSql =
      "SELECT c.oid::text, c.relkind::text FROM pg_class c JOIN pg_namespace n "
      "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2";
  state.schema_exists =
      !tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).empty();
  std::string view_oid = "0";
  auto view = tx.exec_params(kRelSql, schema, view_name(table));
  if (!view.empty()) {
    if (view[0][1].as<std::string>() != "v") {
      state.view_name_taken_by_other = true;
    } else {
      state.view_exists = true;
      view_oid = view[0][0].as<std::string>();
      const std::string& oid = view_oid;
      state.view_columns = read_columns(tx, oid);
      state.view_live_only = tx.exec_params1("SELECT position('_deleted_at IS NULL' IN "
                                             "pg_get_viewdef($1::oid)) > 0",
                                             oid)[0]
                                 .as<bool>();
      for (const auto& row : tx.exec_params(kDependentsSql, oid, "0"))
        state.view_dependents.insert(row[1].as<std::string>());
      for (const auto& row :
           tx.exec_params("SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
                          "ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.is_grantable "
                          "FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1::oid "
                          "AND a.grantee <> c.relowner",
                          oid))
        state.view_grants.push_back(
            {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>()});
    }
  }
  auto rel = tx.exec_params(kRelSql, schema, table);
  if (!rel.empty()) {
    state.exists = true;
    std::string oid = rel[0][0].as<std::string>();
    state.columns = read_columns(tx, oid);
    std::map<std::string, std::set<std::string>> indexes;
    for (const auto& row : tx.exec_params(
             "SELECT i.indexrelid::text, a.attname FROM pg_index i JOIN pg_attribute a "
             "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::oid "
             "AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL",
             oid))
      indexes[row[0].as<std::string>()].insert(row[1].as<std::string>());
    for (auto& [_, cols] : indexes) state.unique_keys.push_back(std::move(cols));
    for (const auto& row : tx.exec_params(kDependentsSql, oid, view_oid))
      state.column_dependents[row[0].as<std::string>()].insert(row[1].as<std::string>());
  }

  if (!tx.exec("SELECT to_regclass('ccetl.columns')")[0][0].is_null()) {
    for (const auto& row : tx.exec_params(
             "SELECT identity, field_name, column_name, sql_type FROM ccetl.columns "
             "WHERE schema_name = $1 AND table_name = $2 ORDER BY first_seen, column_name",
             schema, table))
      state.catalog.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                               row[2].as<std::string>(), row[3].as<std::string>()});
  }
  return state;
}

}  // namespace ccetl::warehouse
