// Schema evolution across runs: new, vanished, widened and renamed fields; user views survive.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::string column_type(Db& db, const std::string& table, const std::string& column) {
  return db.scalar(
      "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "'centercode." +
      table + "'::regclass AND attname = '" + column + "'");
}
std::string comment(Db& db, const std::string& table, const std::string& column) {
  return db.scalar(
      "SELECT col_description(attrelid, attnum) FROM pg_attribute WHERE attrelid = "
      "'centercode." +
      table + "'::regclass AND attname = '" + column + "'");
}
bool contains(const std::vector<std::string>& notes, const std::string& part) {
  for (const auto& n : notes)
    if (n.find(part) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("new fields add columns, vanished fields keep theirs, types widen") {
  Db db;
  auto spec = keyed_spec();
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Age", DataType::Integer),
                               field("Gone", DataType::String), field("Flag", DataType::Boolean)};
  db.run(spec, v1, line(1, {"1", "30", "bye", "true"}));

  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Age", DataType::Double),
                               field("Flag", DataType::Integer), field("Extra", DataType::String)};
  auto plan = db.wh->plan(spec, v2);
  CHECK(plan.table_exists);
  CHECK(plan.blockers.empty());
  CHECK(contains(plan.notes, "new column extra"));
  CHECK(contains(plan.notes, "widened from bigint to numeric"));
  CHECK(contains(plan.notes, "widened from boolean to text"));
  CHECK(contains(plan.notes, "'Gone' is not in this run"));
  CHECK(contains(plan.ddl, "ADD COLUMN \"extra\" text"));
  CHECK(contains(plan.ddl, "ALTER COLUMN \"age\" TYPE numeric"));
  // plan() is read-only.
  CHECK(column_type(db, "users", "age") == "bigint");

  db.run(spec, v2, line(1, {"1", "30.5", "7", "x"}));
  CHECK(column_type(db, "users", "age") == "numeric");
  CHECK(column_type(db, "users", "flag") == "text");
  CHECK(column_type(db, "users", "extra") == "text");
  CHECK(db.scalar("SELECT gone FROM centercode.users WHERE id = 1") == "bye");  // kept, untouched
  CHECK(db.scalar("SELECT age::text || '/' || flag FROM centercode.users WHERE id = 1") ==
        "30.5/7");
  // The view follows: vanished fields stay visible under their last name.
  CHECK(db.scalar("SELECT \"Gone\" || \"Extra\" FROM centercode.users_v") == "byex");
  // Widening is never undone.
  db.run(spec, v1, line(1, {"1", "31", "back", "false"}));
  CHECK(column_type(db, "users", "age") == "numeric");
  CHECK(db.scalar("SELECT flag FROM centercode.users WHERE id = 1") == "false");
}

TEST_CASE("a renamed question keeps its column; comment and view follow the new name") {
  Db db;
  auto spec = keyed_spec("survey");
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer),
                               field("How old are you?", DataType::Integer, "q17", "f2")};
  db.run(spec, v1, line(1, {"1", "40"}));
  CHECK(comment(db, "survey", "how_old_are_you") == "How old are you?");

  std::vector<ccetl::Field> v2{field("ID", DataType::Integer),
                               field("Your age", DataType::Integer, "q17", "f2")};
  auto plan = db.wh->plan(spec, v2);
  REQUIRE(plan.columns.size() == 2);
  CHECK(plan.columns[1].column_name == "how_old_are_you");
  CHECK(contains(plan.notes, "now named 'Your age'"));
  db.run(spec, v2, line(1, {"1", "41"}));
  CHECK(db.scalar("SELECT how_old_are_you FROM centercode.survey") == "41");
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.survey'::regclass "
                 "AND attname = 'your_age'") == 0);
  CHECK(comment(db, "survey", "how_old_are_you") == "Your age");
  CHECK(db.scalar("SELECT \"Your age\" FROM centercode.survey_v") == "41");
  CHECK(db.scalar("SELECT field_name FROM ccetl.columns WHERE identity = 'q:f2/q17'") ==
        "Your age");
}

TEST_CASE("hostile, colliding and oversized field names load into distinct commented columns") {
  Db db;
  auto spec = keyed_spec("hostile");
  std::string long_name;
  for (int i = 0; i < 70; ++i) long_name += "ä";  // 140 bytes
  std::vector<std::string> names{"ID",
                                 "\"; DROP TABLE x; --",
                                 "it's",
                                 "Name",
                                 "name",
                                 "N-a-m-e",
                                 std::string(500, 'x'),
                                 std::string(500, 'x') + "y",
                                 long_name,
                                 long_name + "b",
                                 "",
                                 "project_key",
                                 "_synced_at",
                                 "select",
                                 "a\"b"};
  std::vector<ccetl::Field> fields;
  std::vector<Cell> cells;
  for (std::size_t i = 0; i < names.size(); ++i) {
    fields.push_back(field(names[i], i == 0 ? DataType::Integer : DataType::String));
    cells.push_back(i == 0 ? "1" : "v" + std::to_string(i));
  }
  ccetl::SchemaPlan plan;
  db.run(spec, fields, line(1, cells), {}, {}, &plan);
  REQUIRE(plan.columns.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& col = plan.columns[i].column_name;
    INFO(names[i] << " -> " << col);
    CHECK(col.size() <= 63);
    CHECK(comment(db, "hostile", col) == (names[i].empty() ? "<null>" : names[i]));
    CHECK(db.scalar("SELECT " + col + " FROM centercode.hostile") == cells[i]);
  }
  CHECK(
      db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.hostile'::regclass "
               "AND attnum > 0") == static_cast<int64_t>(names.size()) + 3);  // + _row_hash
  // The view exposes the original names (cut to 63 bytes, deduplicated).
  CHECK(db.scalar("SELECT \"\"\"; DROP TABLE x; --\" FROM centercode.hostile_v") == "v1");
  CHECK(db.scalar("SELECT \"it's\" FROM centercode.hostile_v") == "v2");
  CHECK(db.count(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.hostile_v'::regclass "
            "AND attnum > 0") == static_cast<int64_t>(names.size()) + 2);
  // A second run maps every field back to the same column.
  auto again = db.run(spec, fields, line(1, cells));
  CHECK(again.unchanged == 1);
}

TEST_CASE("a user's view on the table survives runs; a breaking change is refused naming it") {
  Db db;
  auto spec = keyed_spec();
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Age", DataType::Integer),
                               field("City", DataType::String)};
  db.run(spec, v1, line(1, {"1", "30", "Oslo"}));
  db.exec("CREATE ROLE bi_user_evo NOLOGIN");
  db.exec("CREATE VIEW public.adults AS SELECT id, age FROM centercode.users WHERE age >= 18");
  db.exec("GRANT SELECT ON centercode.users_v TO bi_user_evo");

  // Adding a field and renaming one (view column renamed -> view recreated) keeps the user's view.
  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Age", DataType::Integer),
                               field("Town", DataType::String), field("Zip", DataType::String)};
  // "Town" is a new identity (no questionId), so it gets its own column.
  db.run(spec, v2, line(1, {"1", "31", "Bergen", "5003"}));
  CHECK(db.scalar("SELECT age FROM public.adults") == "31");
  CHECK(db.scalar("SELECT has_table_privilege('bi_user_evo', 'centercode.users_v', 'SELECT')") ==
        "t");

  // Age becomes a string: the column must change type, but public.adults depends on it.
  std::vector<ccetl::Field> v3{field("ID", DataType::Integer), field("Age", DataType::String),
                               field("Town", DataType::String), field("Zip", DataType::String)};
  auto plan = db.wh->plan(spec, v3);
  REQUIRE(plan.blockers.size() == 1);
  CHECK_THAT(plan.blockers[0], Catch::Contains("adults"));
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  try {
    load->prepare(v3);
    FAIL("breaking change accepted");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Permanent);
    CHECK_THAT(std::string(e.what()), Catch::Contains("adults") && Catch::Contains("age"));
  }
  load->abort();
  CHECK(db.scalar("SELECT age FROM public.adults") == "31");
  CHECK(column_type(db, "users", "age") == "bigint");

  // Once the user drops their view, the widening goes through and the grant on our view is kept.
  db.exec("DROP VIEW public.adults");
  db.run(spec, v3, line(1, {"1", "thirty", "Bergen", "5003"}));
  CHECK(column_type(db, "users", "age") == "text");
  CHECK(db.scalar("SELECT \"Age\" FROM centercode.users_v") == "thirty");
  CHECK(db.scalar("SELECT has_table_privilege('bi_user_evo', 'centercode.users_v', 'SELECT')") ==
        "t");
  db.exec("REVOKE ALL ON centercode.users_v FROM bi_user_evo");
  db.exec("DROP ROLE bi_user_evo");
}

TEST_CASE("a view built on the BI view blocks type changes and is never dropped") {
  Db db;
  auto spec = keyed_spec();
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Age", DataType::Integer)};
  db.run(spec, v1, line(1, {"1", "30"}));
  db.exec("CREATE VIEW public.on_bi AS SELECT \"ID\" FROM centercode.users_v");
  // A renamed view column cannot be replaced in place; with a dependent, the view is kept.
  std::vector<ccetl::Field> renamed{field("ID", DataType::Integer), field("Age", DataType::Integer),
                                    field("New", DataType::String)};
  db.run(spec, renamed, line(1, {"1", "30", "n"}));
  CHECK(db.scalar("SELECT \"New\" FROM centercode.users_v") == "n");  // appended: replaced in place
  std::vector<ccetl::Field> widened{field("ID", DataType::Integer), field("Age", DataType::Double)};
  auto plan = db.wh->plan(spec, widened);
  REQUIRE(plan.blockers.size() == 1);
  CHECK_THAT(plan.blockers[0], Catch::Contains("on_bi"));
  CHECK(db.count("SELECT count(*) FROM public.on_bi") == 1);
}

TEST_CASE("a column a user added is never taken over; a pre-catalog table's columns are adopted") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, {field("ID", DataType::Integer)}, line(1, {"1"}));
  db.exec("ALTER TABLE centercode.users ADD COLUMN notes text");
  db.exec("UPDATE centercode.users SET notes = 'mine'");
  ccetl::SchemaPlan plan;
  db.run(spec, {field("ID", DataType::Integer), field("Notes", DataType::String)},
         line(1, {"1", "theirs"}), {}, {}, &plan);
  REQUIRE(plan.columns.size() == 2);
  CHECK(plan.columns[1].column_name != "notes");
  CHECK(db.scalar("SELECT notes FROM centercode.users") == "mine");

  // A table from before the catalog (no ccetl.columns rows): same-named columns are reused.
  db.exec("CREATE TABLE centercode.legacy (id bigint PRIMARY KEY, title text)");
  db.exec("INSERT INTO centercode.legacy VALUES (1, 'old')");
  auto c = db.run(keyed_spec("legacy"),
                  {field("ID", DataType::Integer), field("Title", DataType::String)},
                  line(1, {"1", "new"}));
  CHECK(c.updated == 1);
  CHECK(db.scalar("SELECT title FROM centercode.legacy") == "new");
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.legacy'::regclass "
                 "AND attnum > 0 AND NOT attisdropped") == 5);  // + _multi_values, _synced_at, _row_hash
}

TEST_CASE("widening keeps every stored value exact, also in rows this run does not reload") {
  Db db;
  auto spec = keyed_spec("exact");
  // Sessions default to the rounded float text (15 digits): the run must not depend on it.
  db.exec("DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET extra_float_digits = 0', current_database()); END$$");
  // 0.12345678901234568 is the shortest text of its double; `::numeric` would keep 15 digits
  // (0.123456789012346). 1e-7 and 123456789.12345679 check the exponent and integer parts.
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Ratio", DataType::Double),
                               field("Big", DataType::Double)};
  db.run(spec, v1,
         line(1, {"1", "0.12345678901234568", "123456789.12345679"}) +
             line(2, {"2", "1e-07", "-2.5"}));
  // Only row 3 is in the next run; rows 1 and 2 keep the values widening converted.
  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Ratio", DataType::Integer),
                               field("Big", DataType::String)};
  db.run(spec, v2, line(3, {"3", "9007199254740993", "x"}));
  CHECK(column_type(db, "exact", "ratio") == "numeric");
  CHECK(column_type(db, "exact", "big") == "text");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.exact WHERE id = 1") == "0.12345678901234568");
  CHECK(db.scalar("SELECT big FROM centercode.exact WHERE id = 1") == "123456789.12345679");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.exact WHERE id = 2") == "0.0000001");
  CHECK(db.scalar("SELECT big FROM centercode.exact WHERE id = 2") == "-2.5");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.exact WHERE id = 3") == "9007199254740993");
  CHECK(db.scalar("SELECT ratio = 0.12345678901234568 FROM centercode.exact WHERE id = 1") == "t");
}
