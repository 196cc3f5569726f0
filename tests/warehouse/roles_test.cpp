// sql/roles.sql: a loader that owns only its schemas, a BI reader that can read but not write.
#include "support/source_root.h"
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::string roles_sql() {
  auto root = ccetl::test::source_root();
  std::ifstream in(root / "sql/roles.sql");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
bool fails(const std::string& dsn, const std::string& sql) {
  try {
    pqxx::connection c(dsn);
    pqxx::work tx(c);
    tx.exec(sql);
    return false;
  } catch (const pqxx::insufficient_privilege&) {
    return true;
  }
}
}  // namespace

TEST_CASE("roles.sql applies cleanly (twice) and separates loader and BI reader") {
  std::string admin = ccetl::test::fresh_database();
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    REQUIRE(!roles_sql().empty());
    tx.exec(roles_sql());
    tx.exec(roles_sql());
    tx.exec(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_alice') THEN "
        "CREATE ROLE bi_alice LOGIN IN ROLE ccetl_reader; END IF; END $$");
  }
  std::string loader = admin + " user=ccetl_loader";
  std::string reader = admin + " user=bi_alice";

  auto wh = ccetl::connect_warehouse(loader);
  wh->ensure_catalog();
  auto spec = keyed_spec();
  spec.history = true;  // the history table and its view are read through default privileges too
  auto load = wh->begin_load(spec, wh->start_run(spec.job));
  load->prepare({field("ID", DataType::Integer), field("Name", DataType::String)});
  copy_rows(*load, line(1, {"1", "Ann"}));
  load->commit({});

  pqxx::connection rc(reader);
  pqxx::nontransaction rtx(rc);
  CHECK(rtx.exec("SELECT name FROM centercode.users")[0][0].as<std::string>() == "Ann");
  CHECK(rtx.exec("SELECT \"Name\" FROM centercode.users_v")[0][0].as<std::string>() == "Ann");
  CHECK(rtx.exec("SELECT name FROM centercode.users_history WHERE _valid_to = 'infinity'")[0][0]
            .as<std::string>() == "Ann");
  CHECK(rtx.exec("SELECT \"Name\" FROM centercode.users_history_v")[0][0].as<std::string>() == "Ann");
  CHECK(fails(reader, "UPDATE centercode.users_history SET _valid_to = now()"));
  CHECK(fails(reader, "INSERT INTO centercode.users (id, name) VALUES (2, 'x')"));
  CHECK(fails(reader, "UPDATE centercode.users SET name = 'x'"));
  CHECK(fails(reader, "CREATE TABLE centercode.mine (x int)"));
  CHECK(fails(reader, "SELECT * FROM ccetl.runs"));
  CHECK(fails(loader, "CREATE SCHEMA elsewhere"));
  CHECK(fails(loader, "CREATE TABLE public.stray (x int)"));
}
