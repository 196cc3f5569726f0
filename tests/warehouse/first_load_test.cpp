// A first load into a table the run creates goes straight into it (no staging, no merge): the
// rows are COPYed in with FREEZE and the primary key is built afterwards.
#include <catch2/catch.hpp>

#include <future>

#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::vector<ccetl::Field> kv_fields() {
  return {field("ID", DataType::Integer), field("Value", DataType::String)};
}
}  // namespace

TEST_CASE("only the first load of a new table skips staging") {
  Db db;
  auto spec = keyed_spec();
  {
    auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
    CHECK_FALSE(load->staged());
    load->prepare(kv_fields());
    copy_rows(*load, line(1, {"1", "a"}) + line(2, {"2", "b"}));
    load->commit({});
  }
  // COPY FREEZE: the pages are frozen and all-visible (never rewritten by a later VACUUM).
  db.exec("CREATE EXTENSION IF NOT EXISTS pg_visibility");
  CHECK(db.scalar("SELECT bool_and(all_frozen) FROM pg_visibility_map('centercode.users')") == "t");
  auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
  CHECK(load->staged());
  load->abort();
}

TEST_CASE("a direct first load is keyed and keeps the last of duplicate keys across pages") {
  Db db;
  auto spec = keyed_spec();
  auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
  load->prepare(kv_fields());
  copy_rows(*load, line(1, {"1", "first"}) + line(2, {"2", "only"}));
  copy_rows(*load, line(3, {"1", "second"}) + line(4, {"3", "only"}));
  copy_rows(*load, line(5, {"1", "last"}));
  auto counts = load->commit({});
  CHECK(counts.inserted == 3);
  CHECK(counts.duplicates == 2);
  CHECK(db.scalar("SELECT string_agg(id || '=' || value, ',' ORDER BY id) FROM centercode.users") ==
        "1=last,2=only,3=only");
  CHECK(db.scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                  "'centercode.users'::regclass AND contype = 'p'") == "PRIMARY KEY (id)");
  // A later run merges through staging as usual.
  auto again = db.run(spec, kv_fields(), line(1, {"1", "last"}) + line(2, {"2", "changed"}));
  CHECK(again.unchanged == 1);
  CHECK(again.updated == 1);
}

TEST_CASE("an aborted first load leaves no table behind") {
  Db db;
  auto spec = keyed_spec();
  auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
  load->prepare(kv_fields());
  copy_rows(*load, line(1, {"1", "a"}));
  load->abort();
  CHECK(db.scalar("SELECT to_regclass('centercode.users')") == "<null>");
}

TEST_CASE("an incomplete first full refresh leaves the new table empty") {
  Db db;
  auto spec = keyed_spec("lookup", {});
  ccetl::RunEnd end;
  end.rows_read = 2;
  end.total_results = 5;
  auto counts = db.run(spec, kv_fields(), line(1, {"1", "a"}) + line(2, {"2", "b"}), end);
  CHECK(counts.inserted == 0);
  CHECK(db.count("SELECT count(*) FROM centercode.lookup") == 0);
  CHECK_THAT(db.scalar("SELECT messages FROM ccetl.runs"), Catch::Contains("full refresh skipped"));
}

// Bug caught: two jobs' first runs writing to the same new schema at once (a daemon starting
// with several never-run jobs, or a reload adding one while another's first run is on). With
// CREATE SCHEMA inside the run's transaction the second waited for the whole first run and then
// failed on a duplicate key in pg_namespace.
TEST_CASE("two first loads into the same new schema at once both succeed") {
  Db db;
  auto a_spec = keyed_spec("alpha");
  auto b_spec = keyed_spec("beta");
  auto a = db.wh->begin_load(a_spec, db.wh->start_run(a_spec.job));
  a->prepare(kv_fields());  // run A's transaction stays open from here to its commit
  copy_rows(*a, line(1, {"1", "a"}));
  auto b = db.wh->begin_load(b_spec, db.wh->start_run(b_spec.job));
  auto prepared = std::async(std::launch::async, [&] { b->prepare(kv_fields()); });
  // B must not wait for A's commit.
  bool b_waited = prepared.wait_for(std::chrono::seconds(10)) != std::future_status::ready;
  CHECK_FALSE(b_waited);
  a->commit({});
  REQUIRE_NOTHROW(prepared.get());
  copy_rows(*b, line(1, {"1", "b"}));
  CHECK_NOTHROW(b->commit({}));
  CHECK(db.count("SELECT count(*) FROM centercode.alpha") == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.beta") == 1);
}

TEST_CASE("a failed first load leaves at most an empty schema, which the next run uses") {
  Db db;
  auto spec = keyed_spec();
  {
    auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
    load->prepare(kv_fields());
    load->abort();
  }
  CHECK(db.scalar("SELECT to_regclass('centercode.users')") == "<null>");
  auto counts = db.run(spec, kv_fields(), line(1, {"1", "a"}));
  CHECK(counts.inserted == 1);
}
