// `history: true`: versions in <table>_history, as-of queries, live-only views (table level).
#include <catch2/catch.hpp>

#include "core/error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {

std::vector<ccetl::Field> fields() {
  return {field("ID", DataType::Integer), field("Name", DataType::String),
          field("Score", DataType::Integer)};
}

std::string rows(const std::vector<std::tuple<int, std::string, int>>& items) {
  std::string out;
  int seq = 1;
  for (const auto& [id, name, score] : items)
    out += line(seq++, {std::to_string(id), name, std::to_string(score)});
  return out;
}

// The rows valid at `at` (an SQL expression), as "id:name:score" sorted by id.
std::string as_of(Db& db, const std::string& at, const std::string& table = "users_history") {
  return db.scalar("SELECT string_agg(id || ':' || name || ':' || score, ' ' ORDER BY id) FROM "
                   "centercode." + table + " WHERE _valid_from <= " + at + " AND " + at +
                   " < _valid_to");
}

std::string live(Db& db, const std::string& table = "users") {
  return db.scalar("SELECT string_agg(id || ':' || name || ':' || score, ' ' ORDER BY id) FROM "
                   "centercode." + table + (table == "items" ? " WHERE _deleted_at IS NULL" : ""));
}

// A moment strictly between two runs: the database's clock after the first committed, read in
// a transaction of its own (the next run's transaction, and so its T, starts later).
std::string moment(Db& db) { return "'" + db.scalar("SELECT clock_timestamp()::text") + "'::timestamptz"; }

ccetl::TableSpec history_spec(std::string table = "users") {
  auto spec = keyed_spec(std::move(table));
  spec.history = true;
  spec.deletes = ccetl::DeleteMode::Hard;
  return spec;
}

}  // namespace

TEST_CASE("history: initial, changed+deleted+added, unchanged runs; as-of between runs") {
  Db db;
  auto spec = history_spec();
  // 1. Initial run (a first load straight into the new table): every row opens a version.
  auto c1 = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 20}, {3, "Cy", 30}, {4, "Di", 40}, {5, "Ed", 50}}));
  CHECK(c1.inserted == 5);
  const std::string run1 = "1:Ann:10 2:Bob:20 3:Cy:30 4:Di:40 5:Ed:50";
  CHECK(db.count("SELECT count(*) FROM centercode.users_history WHERE _valid_to = 'infinity' AND "
                 "_valid_from = (SELECT max(_synced_at) FROM centercode.users)") == 5);
  const std::string between = moment(db);
  CHECK(as_of(db, between) == run1);

  // 2. Bob changed, Ed deleted, Flo added; Ann, Cy, Di unchanged.
  std::string xmin_ann = db.scalar("SELECT xmin::text FROM centercode.users_history WHERE id = 1");
  auto c2 = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 21}, {3, "Cy", 30}, {4, "Di", 40}, {6, "Flo", 60}}));
  CHECK(c2.inserted == 1);
  CHECK(c2.updated == 1);
  CHECK(c2.unchanged == 3);
  CHECK(c2.deleted == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.users_history") == 7);
  // One timestamp T for the whole run: Bob's and Ed's versions close at T, Bob's and Flo's new
  // ones open at T, which is the _synced_at of the rows the run wrote.
  const std::string t2 = db.scalar("SELECT _synced_at::text FROM centercode.users WHERE id = 2");
  CHECK(db.scalar("SELECT string_agg(id || ':' || name, ' ' ORDER BY id) FROM centercode.users_history "
                  "WHERE _valid_to = '" + t2 + "'") == "2:Bob 5:Ed");
  CHECK(db.scalar("SELECT string_agg(id || ':' || name, ' ' ORDER BY id) FROM centercode.users_history "
                  "WHERE _valid_from = '" + t2 + "'") == "2:Bob 6:Flo");
  CHECK(db.count("SELECT count(*) FROM centercode.users_history WHERE _valid_to = 'infinity'") == 5);
  CHECK(db.scalar("SELECT xmin::text FROM centercode.users_history WHERE id = 1") == xmin_ann);
  // As of the moment between the runs: exactly the first run's data; as of now: the table.
  CHECK(as_of(db, between) == run1);
  CHECK(as_of(db, "now()") == live(db));
  CHECK(live(db) == "1:Ann:10 2:Bob:21 3:Cy:30 4:Di:40 6:Flo:60");

  // 3. Unchanged resync: not one history row written (same count, same xmin everywhere).
  std::string xmins = db.scalar("SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id, _valid_from) "
                                "FROM centercode.users_history");
  auto c3 = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 21}, {3, "Cy", 30}, {4, "Di", 40}, {6, "Flo", 60}}));
  CHECK(c3.unchanged == 5);
  CHECK(db.count("SELECT count(*) FROM centercode.users_history") == 7);
  CHECK(db.scalar("SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id, _valid_from) "
                  "FROM centercode.users_history") == xmins);
  CHECK(as_of(db, between) == run1);

  // Shape: the table's data columns plus the validity interval; the view has the field names.
  CHECK(db.scalar("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || "
                  "CASE WHEN attnotnull THEN ' not null' ELSE '' END, ', ' ORDER BY attnum) "
                  "FROM pg_attribute WHERE attrelid = 'centercode.users_history'::regclass AND attnum > 0") ==
        "id bigint, name text, score bigint, _multi_values jsonb, "
        "_valid_from timestamp with time zone not null, _valid_to timestamp with time zone not null");
  CHECK(db.scalar("SELECT \"Name\" FROM centercode.users_history_v WHERE \"ID\" = 2 AND _valid_to < 'infinity'") == "Bob");
  // The as-of predicate can use an index (the planner is told to avoid sequential scans: the
  // table is too small for it to prefer an index by cost).
  db.exec("SET enable_seqscan = off");
  std::string explain;
  for (const auto& r : db.query("EXPLAIN SELECT * FROM centercode.users_history WHERE _valid_from <= now() "
                                "AND now() < _valid_to"))
    explain += r[0].as<std::string>() + "\n";
  db.exec("RESET enable_seqscan");
  INFO(explain);
  CHECK_THAT(explain, Catch::Contains("Index") && Catch::Contains("_valid_from__valid_to"));
}

TEST_CASE("history with soft deletes; the _v view shows live rows only, the table keeps all") {
  Db db;
  auto spec = history_spec("items");
  spec.deletes = ccetl::DeleteMode::Soft;
  db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}, {3, "c", 3}}));
  auto c2 = db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}}));
  CHECK(c2.deleted == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.items") == 3);      // the base table keeps it
  CHECK(db.count("SELECT count(*) FROM centercode.items_v") == 2);    // the view does not
  CHECK(db.count("SELECT count(*) FROM centercode.items_v WHERE \"ID\" = 3") == 0);
  CHECK(db.scalar("SELECT _valid_to < 'infinity' FROM centercode.items_history WHERE id = 3") == "t");
  CHECK(as_of(db, "now()", "items_history") == live(db, "items"));
  // Already soft-deleted: nothing closes twice.
  db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}}));
  CHECK(db.count("SELECT count(*) FROM centercode.items_history") == 3);
  // It returns unchanged: a new version opens; the gap stays in the history.
  auto back = db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}, {3, "c", 3}}));
  CHECK(back.updated == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.items_history WHERE id = 3") == 2);
  CHECK(db.count("SELECT count(*) FROM centercode.items_history WHERE id = 3 AND _valid_to = 'infinity'") == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.items_v") == 3);
}

TEST_CASE("an existing soft-delete table's view becomes live-only on the next run") {
  Db db;
  auto spec = keyed_spec("items");
  spec.deletes = ccetl::DeleteMode::Soft;
  db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}}));
  // A view as releases before this one created it: every row.
  db.exec("CREATE OR REPLACE VIEW centercode.items_v AS SELECT id AS \"ID\", name AS \"Name\", "
          "score AS \"Score\", _multi_values, _synced_at, _deleted_at FROM centercode.items");
  db.exec("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bi_history_test') THEN "
          "CREATE ROLE bi_history_test NOLOGIN; END IF; END $$");
  db.exec("GRANT SELECT ON centercode.items_v TO bi_history_test");
  db.run(spec, fields(), rows({{1, "a", 1}}));
  CHECK(db.count("SELECT count(*) FROM centercode.items_v") == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.items") == 2);
  CHECK(db.scalar("SELECT has_table_privilege('bi_history_test', 'centercode.items_v', 'SELECT')") == "t");
}

TEST_CASE("history of a fan-out job keys versions by project_key") {
  Db db;
  auto spec = history_spec("feedback");
  spec.project_key_column = true;
  std::vector<ccetl::Field> f{field("ID", DataType::Integer), field("Title", DataType::String)};
  db.run(spec, f, line(1, {"1", "a"}, std::nullopt, "P1") + line(2, {"1", "a"}, std::nullopt, "P2"));
  const std::string between = moment(db);
  // Same ID in both projects; only P2's row changes.
  auto c = db.run(spec, f, line(1, {"1", "a"}, std::nullopt, "P1") + line(2, {"1", "b"}, std::nullopt, "P2"));
  CHECK(c.updated == 1);
  CHECK(db.scalar("SELECT attname FROM pg_attribute WHERE attrelid = 'centercode.feedback_history'::regclass "
                  "AND attnum = 1") == "project_key");
  CHECK(db.count("SELECT count(*) FROM centercode.feedback_history WHERE project_key = 'P1'") == 1);
  CHECK(db.count("SELECT count(*) FROM centercode.feedback_history WHERE project_key = 'P2'") == 2);
  CHECK(db.scalar("SELECT string_agg(project_key || title, ' ' ORDER BY project_key) FROM "
                  "centercode.feedback_history WHERE _valid_from <= " + between + " AND " + between +
                  " < _valid_to") == "P1a P2a");
  CHECK(db.scalar("SELECT string_agg(project_key || title, ' ' ORDER BY project_key) FROM "
                  "centercode.feedback_history WHERE _valid_to = 'infinity'") == "P1a P2b");
}

// The close matches each key column on its own (so the index serves it) and then the key as a
// whole: (P1, 2) and (P2, 1) changing must not close (P1, 1) or (P2, 2), which match column by
// column. Catches a close that drops the whole-key check.
TEST_CASE("history of a fan-out job closes exactly the changed (project_key, ID) pairs") {
  Db db;
  auto spec = history_spec("pairs");
  spec.project_key_column = true;
  std::vector<ccetl::Field> f{field("ID", DataType::Integer), field("Title", DataType::String)};
  auto rows = [&](const char* p1_2, const char* p2_1) {
    return line(1, {"1", "a"}, std::nullopt, "P1") + line(2, {"2", p1_2}, std::nullopt, "P1") +
           line(3, {"1", p2_1}, std::nullopt, "P2") + line(4, {"2", "a"}, std::nullopt, "P2");
  };
  db.run(spec, f, rows("a", "a"));
  auto c = db.run(spec, f, rows("b", "b"));
  CHECK(c.updated == 2);
  CHECK(db.scalar("SELECT string_agg(project_key || id || title, ' ' ORDER BY project_key, id) FROM "
                  "centercode.pairs_history WHERE _valid_to = 'infinity'") == "P11a P12b P21b P22a");
  CHECK(db.count("SELECT count(*) FROM centercode.pairs_history") == 6);
}

TEST_CASE("schema changes reach the history table: new column, widening, renamed question") {
  Db db;
  auto spec = history_spec("survey");
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("How old?", DataType::Integer, "q1", "f1")};
  db.run(spec, v1, line(1, {"1", "40"}) + line(2, {"2", "50"}));
  const std::string between = moment(db);
  // The question is renamed and now a double; a new field appears.
  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Your age", DataType::Double, "q1", "f1"),
                               field("Town", DataType::String)};
  auto plan = db.wh->plan(spec, v2);
  CHECK(plan.blockers.empty());
  auto c = db.run(spec, v2, line(1, {"1", "40.5", "Oslo"}) + line(2, {"2", "50", std::nullopt}));
  CHECK(c.updated == 1);  // 2 is unchanged: 50 = 50 after widening, Town NULL both
  auto type = [&](const std::string& table, const std::string& col) {
    return db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'centercode." +
                     table + "'::regclass AND attname = '" + col + "'");
  };
  CHECK(type("survey", "how_old") == "numeric");
  CHECK(type("survey_history", "how_old") == "numeric");
  CHECK(type("survey_history", "town") == "text");
  CHECK(db.scalar("SELECT col_description('centercode.survey_history'::regclass, 2)") == "Your age");
  CHECK(db.scalar("SELECT string_agg(\"ID\" || ':' || \"Your age\" || ':' || coalesce(\"Town\", '-'), ' ' "
                  "ORDER BY \"ID\") FROM centercode.survey_history_v WHERE _valid_to = 'infinity'") ==
        "1:40.5:Oslo 2:50:-");
  CHECK(db.scalar("SELECT string_agg(id || ':' || how_old, ' ' ORDER BY id) FROM centercode.survey_history "
                  "WHERE _valid_from <= " + between + " AND " + between + " < _valid_to") == "1:40 2:50");
  // A user's view on the history table blocks a type change and is named.
  db.exec("CREATE VIEW public.ages AS SELECT how_old FROM centercode.survey_history");
  std::vector<ccetl::Field> v3{field("ID", DataType::Integer), field("Your age", DataType::String, "q1", "f1")};
  auto blocked = db.wh->plan(spec, v3);
  REQUIRE(blocked.blockers.size() == 1);
  CHECK_THAT(blocked.blockers[0], Catch::Contains("survey_history") && Catch::Contains("ages"));
}

TEST_CASE("turning history on for an existing table seeds its live rows as current versions") {
  Db db;
  auto spec = keyed_spec("items");
  spec.deletes = ccetl::DeleteMode::Soft;
  db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}, {3, "c", 3}}));
  db.run(spec, fields(), rows({{1, "a", 1}, {2, "b", 2}}));  // 3 soft-deleted
  const std::string synced1 = db.scalar("SELECT _synced_at::text FROM centercode.items WHERE id = 1");
  CHECK(db.count("SELECT count(*) FROM pg_class WHERE relname = 'items_history'") == 0);

  spec.history = true;
  auto plan = db.wh->plan(spec, fields());
  bool noted = false;
  for (const auto& n : plan.notes) noted = noted || n.find("seeded") != std::string::npos;
  CHECK(noted);
  auto c = db.run(spec, fields(), rows({{1, "a", 1}, {2, "B", 2}}));
  CHECK(c.updated == 1);
  // 1: seeded, valid since the row last changed; 2: seeded, closed and reopened; 3: not live.
  CHECK(db.scalar("SELECT _valid_from::text FROM centercode.items_history WHERE id = 1") == synced1);
  CHECK(db.count("SELECT count(*) FROM centercode.items_history WHERE id = 1 AND _valid_to = 'infinity'") == 1);
  CHECK(db.scalar("SELECT string_agg(name, ' ' ORDER BY _valid_from) FROM centercode.items_history WHERE id = 2") == "b B");
  CHECK(db.count("SELECT count(*) FROM centercode.items_history WHERE id = 3") == 0);
  CHECK(as_of(db, "now()", "items_history") == live(db, "items"));
}

TEST_CASE("history needs a key") {
  Db db;
  auto spec = history_spec("snapshot");
  spec.key_fields.clear();
  spec.deletes = ccetl::DeleteMode::Keep;
  try {
    db.wh->plan(spec, fields());
    FAIL("no error");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Config);
    CHECK_THAT(e.what(), Catch::Contains("history needs a key"));
  }
}

TEST_CASE("a history table that outlived its table closes its versions when the table returns") {
  Db db;
  auto spec = history_spec();
  db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 20}}));
  db.exec("DROP VIEW centercode.users_v; DROP TABLE centercode.users");
  db.run(spec, fields(), rows({{1, "Ann", 10}}));
  CHECK(db.count("SELECT count(*) FROM centercode.users_history") == 3);
  CHECK(db.scalar("SELECT string_agg(id::text, ' ' ORDER BY id) FROM centercode.users_history "
                  "WHERE _valid_to = 'infinity'") == "1");
  CHECK(as_of(db, "now()") == "1:Ann:10");
}

namespace {

std::string joined_messages(const ccetl::RunCounts& c) {
  std::string out;
  for (const auto& m : c.messages) out += m + "\n";
  return out;
}

// The versions of `id`'s row, oldest first, as "name:score", the current one marked.
std::string versions(Db& db, const std::string& table, int id) {
  return db.scalar("SELECT string_agg(name || ':' || score || CASE WHEN _valid_to = 'infinity' "
                   "THEN ' current' ELSE '' END, ' ' ORDER BY _valid_from, _valid_to) FROM centercode." +
                   table + "_history WHERE id = " + std::to_string(id));
}

}  // namespace

TEST_CASE("history turned off and on again catches up with what changed meanwhile") {
  const auto mode = GENERATE(ccetl::DeleteMode::Hard, ccetl::DeleteMode::Soft);
  const bool soft = mode == ccetl::DeleteMode::Soft;
  INFO((soft ? "soft deletes" : "hard deletes"));
  const std::string table = soft ? "items" : "users";  // live() reads items without deleted rows
  Db db;
  auto spec = history_spec(table);
  spec.deletes = mode;
  db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 20}, {3, "Cy", 30}, {4, "Di", 40}}));
  // A second run with history, unchanged: its predecessor kept the history, so no catch-up runs.
  const std::string tuples_sql = "SELECT string_agg(xmin::text || ctid::text, ',' ORDER BY id, _valid_from) "
                                 "FROM centercode." + table + "_history";
  const std::string tuples = db.scalar(tuples_sql);
  auto kept = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 20}, {3, "Cy", 30}, {4, "Di", 40}}));
  CHECK_THAT(joined_messages(kept), !Catch::Contains("caught up"));
  CHECK(db.scalar(tuples_sql) == tuples);
  const std::string before_off = moment(db);

  // History off: Bob changes, Cy is deleted, Ed is added; the history table sees none of it.
  spec.history = false;
  auto off = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 21}, {4, "Di", 40}, {5, "Ed", 50}}));
  REQUIRE(off.deleted == 1);
  REQUIRE(db.scalar(tuples_sql) == tuples);
  REQUIRE(as_of(db, "now()", table + "_history") != live(db, table));

  // History on again. Di changes in this run too: the merge versions that; Bob's change and
  // Ed's row from the run without history are unchanged in this one and only the catch-up
  // versions them; Cy's version is closed although this run deletes nothing.
  spec.history = true;
  auto plan = db.wh->plan(spec, fields());  // what `ccetl discover` shows
  std::string notes;
  for (const auto& n : plan.notes) notes += n + "\n";
  CHECK_THAT(notes, Catch::Contains("did not keep its history"));
  auto on = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 21}, {4, "Di", 41}, {5, "Ed", 50}}));
  CHECK(on.updated == 1);
  CHECK(on.unchanged == 3);
  CHECK(on.deleted == 0);
  CHECK_THAT(joined_messages(on), Catch::Contains("history of centercode." + table +
                                                  " caught up with the table") &&
                                      Catch::Contains("2 versions closed, 2 opened"));
  CHECK(as_of(db, "now()", table + "_history") == live(db, table));
  CHECK(as_of(db, "now()", table + "_history") == "1:Ann:10 2:Bob:21 4:Di:41 5:Ed:50");
  CHECK(versions(db, table, 2) == "Bob:20 Bob:21 current");
  CHECK(versions(db, table, 3) == "Cy:30");
  CHECK(versions(db, table, 4) == "Di:40 Di:41 current");
  CHECK(versions(db, table, 5) == "Ed:50 current");
  // Everything the catch-up wrote is dated at this run's T, the run's finished_at.
  const std::string t = "(SELECT finished_at FROM ccetl.runs ORDER BY started_at DESC LIMIT 1)";
  CHECK(db.scalar("SELECT string_agg(id::text, ' ' ORDER BY id) FROM centercode." + table +
                  "_history WHERE _valid_to = " + t) == "2 3 4");
  CHECK(db.scalar("SELECT string_agg(id::text, ' ' ORDER BY id) FROM centercode." + table +
                  "_history WHERE _valid_from = " + t) == "2 4 5");
  CHECK(db.count("SELECT count(*) FROM centercode." + table + "_history WHERE _valid_from >= _valid_to") == 0);
  CHECK(as_of(db, before_off, table + "_history") == "1:Ann:10 2:Bob:20 3:Cy:30 4:Di:40");
  CHECK(db.scalar("SELECT history::text FROM ccetl.runs ORDER BY started_at DESC LIMIT 1") == "true");

  // And the next run with history is a normal one again: no catch-up, no history row written.
  plan = db.wh->plan(spec, fields());
  for (const auto& n : plan.notes) CHECK_THAT(n, !Catch::Contains("did not keep its history"));
  const std::string after = db.scalar(tuples_sql);
  auto next = db.run(spec, fields(), rows({{1, "Ann", 10}, {2, "Bob", 21}, {4, "Di", 41}, {5, "Ed", 50}}));
  CHECK(next.unchanged == 4);
  CHECK_THAT(joined_messages(next), !Catch::Contains("caught up"));
  CHECK(db.scalar(tuples_sql) == after);
}

TEST_CASE("widening a double column keeps the history's values as exact as the table's") {
  Db db;
  // Sessions default to the rounded float text (15 digits): the run must not depend on it.
  db.exec("DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET extra_float_digits = 0', current_database()); END$$");
  auto spec = history_spec("ratios");
  spec.deletes = ccetl::DeleteMode::Keep;
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Ratio", DataType::Double)};
  db.run(spec, v1, line(1, {"1", "0.30000000000000004"}) + line(2, {"2", "0.12345678901234568"}));
  // The field becomes an integer: the column widens to numeric in both tables; rows 1 and 2 are
  // not in this run and keep the values the widening converted.
  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Ratio", DataType::Integer)};
  db.run(spec, v2, line(3, {"3", "9007199254740993"}));
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'centercode.ratios_history'::regclass AND attname = 'ratio'") == "numeric");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.ratios WHERE id = 1") == "0.30000000000000004");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.ratios_history WHERE id = 1") == "0.30000000000000004");
  CHECK(db.scalar("SELECT ratio::text FROM centercode.ratios_history WHERE id = 2") == "0.12345678901234568");
  CHECK(db.count("SELECT count(*) FROM centercode.ratios t JOIN centercode.ratios_history h USING (id) "
                 "WHERE h._valid_to = 'infinity' AND h.ratio IS NOT DISTINCT FROM t.ratio") == 3);
}

TEST_CASE("history deletes are scoped to the projects proven complete") {
  const auto mode = GENERATE(ccetl::DeleteMode::Hard, ccetl::DeleteMode::Soft);
  INFO((mode == ccetl::DeleteMode::Soft ? "soft deletes" : "hard deletes"));
  auto fan_rows = [](const std::string& project, int from, int to) {
    std::string out;
    for (int i = from; i <= to; ++i)
      out += line(i, {std::to_string(i), project + std::to_string(i), "0"}, std::nullopt, project);
    return out;
  };
  auto end_with = [](std::vector<ccetl::ProjectRead> projects) {
    ccetl::RunEnd end;
    end.projects = std::move(projects);
    return end;
  };
  Db db;
  auto spec = history_spec("fan");
  spec.project_key_column = true;
  spec.deletes = mode;
  spec.max_delete_ratio = 1.0;
  db.run(spec, fields(), fan_rows("A", 1, 3) + fan_rows("B", 1, 3),
         end_with({{"A", "", 3, 0}, {"B", "", 3, 0}}));
  // A is complete without its row 3; B's read is incomplete and misses its rows 2 and 3.
  auto c = db.run(spec, fields(), fan_rows("A", 1, 2) + fan_rows("B", 1, 1),
                  end_with({{"A", "", 2, 0}, {"B", "page 2 reported totalResults 5", 3, 0}}));
  CHECK(c.deleted == 1);
  CHECK(db.scalar("SELECT string_agg(project_key || id, ' ' ORDER BY project_key, id) FROM "
                  "centercode.fan_history WHERE _valid_to < 'infinity'") == "A3");
  CHECK(db.scalar("SELECT string_agg(project_key || id, ' ' ORDER BY project_key, id) FROM "
                  "centercode.fan_history WHERE _valid_to = 'infinity'") == "A1 A2 B1 B2 B3");
  CHECK(db.scalar("SELECT string_agg(project_key || id, ' ' ORDER BY project_key, id) FROM centercode.fan" +
                  std::string(mode == ccetl::DeleteMode::Soft ? " WHERE _deleted_at IS NULL" : "")) ==
        "A1 A2 B1 B2 B3");
}
