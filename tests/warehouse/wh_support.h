// Helpers for the warehouse tests: a fresh database with the catalog, COPY lines built by hand
// following src/package/decoded_page.h, whole runs in one call, and plain queries.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "support/pg_cluster.h"
#include "warehouse/warehouse.h"

namespace wh_test {

using Cell = std::optional<std::string>;

inline std::string copy_escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// One COPY line: _seq, [project_key], cells..., _multi_values.
inline std::string line(int64_t seq, const std::vector<Cell>& cells, Cell multi = std::nullopt,
                        Cell project_key = std::nullopt) {
  std::string out = std::to_string(seq);
  if (project_key) out += "\t" + copy_escape(*project_key);
  for (const auto& c : cells) out += "\t" + (c ? copy_escape(*c) : std::string("\\N"));
  out += "\t" + (multi ? copy_escape(*multi) : std::string("\\N"));
  return out + "\n";
}

// Feeds lines built by line() to a load. A first load into a new table takes them without
// their leading _seq column (TableLoad::staged), as the decoder renders them for it.
inline void copy_rows(ccetl::TableLoad& load, const std::string& text) {
  if (load.staged()) {
    load.copy_rows(text);
    return;
  }
  std::string unsequenced;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    std::size_t tab = text.find('\t', pos);
    unsequenced.append(text, tab + 1, end + 1 - (tab + 1));
    pos = end + 1;
  }
  load.copy_rows(unsequenced);
}

inline ccetl::Field field(std::string name, ccetl::DataType type, std::string question_id = "",
                          std::string form_id = "") {
  return ccetl::Field{std::move(name), type, std::move(form_id), std::move(question_id)};
}

struct Db {
  Db() : dsn(ccetl::test::fresh_database()), wh(ccetl::connect_warehouse(dsn)) {
    wh->ensure_catalog();
  }
  std::string dsn;
  std::unique_ptr<ccetl::Warehouse> wh;

  std::unique_ptr<pqxx::connection> conn;  // for the test's own queries, opened once

  pqxx::result query(const std::string& sql) {
    if (!conn) conn = std::make_unique<pqxx::connection>(dsn);
    pqxx::nontransaction tx(*conn);
    return tx.exec(sql);
  }
  std::string scalar(const std::string& sql) {
    auto r = query(sql);
    return r.empty() || r[0][0].is_null() ? "<null>" : r[0][0].as<std::string>();
  }
  int64_t count(const std::string& sql) { return query(sql)[0][0].as<int64_t>(); }
  void exec(const std::string& sql) { query(sql); }

  // A whole successful run: start, prepare, copy, rejects, commit.
  ccetl::RunCounts run(const ccetl::TableSpec& spec, const std::vector<ccetl::Field>& fields,
                       const std::string& copy_text, ccetl::RunEnd end = {},
                       const std::vector<ccetl::Reject>& rejects = {},
                       ccetl::SchemaPlan* plan_out = nullptr) {
    std::string run_id = wh->start_run(spec.job);
    auto load = wh->begin_load(spec, run_id);
    auto plan = load->prepare(fields);
    if (plan_out) *plan_out = plan;
    copy_rows(*load, copy_text);
    load->add_rejects(rejects);
    if (end.rows_read == 0) end.rows_read = std::count(copy_text.begin(), copy_text.end(), '\n');
    return load->commit(end);
  }
};

inline ccetl::TableSpec keyed_spec(std::string table = "users",
                                   std::vector<std::string> key = {"ID"}) {
  ccetl::TableSpec spec;
  spec.job = "job_" + table;
  spec.schema = "centercode";
  spec.table = std::move(table);
  spec.key_fields = std::move(key);
  return spec;
}

}  // namespace wh_test
