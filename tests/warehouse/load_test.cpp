// First loads, upserts, duplicates, rejects, bad values, abort, time zones.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::vector<ccetl::Field> user_fields() {
  return {field("ID", DataType::Integer), field("First Name", DataType::String),
          field("Active", DataType::Boolean), field("Score", DataType::Double),
          field("Joined", DataType::Date)};
}
}  // namespace

TEST_CASE("first load creates a typed, commented table, its view and the run row") {
  Db db;
  auto spec = keyed_spec();
  std::string text = line(1, {"1", "Ann", "true", "1.5", "2024-01-02 03:04:05"}) +
                     line(2, {"2", "Bob\twith tab", "false", "-2", std::nullopt},
                          R"({"First Name": ["Bob", "Robert"]})");
  ccetl::SchemaPlan plan;
  auto counts = db.run(spec, user_fields(), text, {}, {}, &plan);
  CHECK(counts.inserted == 2);
  CHECK(counts.updated == 0);
  CHECK(counts.unchanged == 0);
  CHECK_FALSE(plan.table_exists);
  REQUIRE(plan.columns.size() == 5);
  CHECK(plan.columns[1].column_name == "first_name");

  auto cols = db.query(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, "
      "a.attnum) "
      "FROM pg_attribute a WHERE a.attrelid = 'centercode.users'::regclass AND a.attnum > 0 "
      "ORDER BY a.attnum");
  std::vector<std::string> got;
  for (const auto& r : cols)
    got.push_back(r[0].as<std::string>() + " " + r[1].as<std::string>() + " " +
                  (r[2].is_null() ? "-" : r[2].as<std::string>()));
  CHECK(got == std::vector<std::string>{
                   "id bigint ID", "first_name text First Name", "active boolean Active",
                   "score double precision Score", "joined timestamp without time zone Joined",
                   "_multi_values jsonb -", "_synced_at timestamp with time zone -",
                   "_row_hash uuid -"});
  CHECK(db.scalar("SELECT first_name FROM centercode.users WHERE id = 2") == "Bob\twith tab");
  CHECK(db.scalar("SELECT _multi_values->'First Name'->>1 FROM centercode.users WHERE id = 2") ==
        "Robert");
  CHECK(db.scalar("SELECT \"First Name\" FROM centercode.users_v WHERE \"ID\" = 1") == "Ann");
  CHECK(db.scalar("SELECT count(*) FROM ccetl.columns WHERE table_name = 'users'") == "5");
  CHECK(db.scalar("SELECT status || ' ' || inserted FROM ccetl.runs") == "succeeded 2");
  // The key is the primary key.
  CHECK(
      db.scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'centercode.users'::regclass "
                "AND contype = 'p'") == "1");
}

TEST_CASE("upsert updates changed rows only; unchanged rows keep their xmin") {
  Db db;
  auto spec = keyed_spec();
  auto fields = user_fields();
  db.run(spec, fields,
         line(1, {"1", "Ann", "true", "1", std::nullopt}) +
             line(2, {"2", "Bob", "true", "2", std::nullopt}) +
             line(3, {"3", "Cy", "true", "3", std::nullopt}));
  std::string xmin1 = db.scalar("SELECT xmin::text FROM centercode.users WHERE id = 1");
  std::string synced1 = db.scalar("SELECT _synced_at::text FROM centercode.users WHERE id = 1");
  std::string xmin2 = db.scalar("SELECT xmin::text FROM centercode.users WHERE id = 2");
  auto counts = db.run(spec, fields,
                       line(1, {"1", "Ann", "true", "1", std::nullopt}) +
                           line(2, {"2", "Bobby", "true", "2", std::nullopt}) +
                           line(3, {"3", "Cy", "true", "3", std::nullopt}, R"({"x": [1, 2]})") +
                           line(4, {"4", "Di", std::nullopt, std::nullopt, std::nullopt}));
  CHECK(counts.inserted == 1);
  CHECK(counts.updated == 2);  // a name change and a _multi_values change
  CHECK(counts.unchanged == 1);
  CHECK(db.scalar("SELECT xmin::text FROM centercode.users WHERE id = 1") == xmin1);
  CHECK(db.scalar("SELECT _synced_at::text FROM centercode.users WHERE id = 1") == synced1);
  CHECK(db.scalar("SELECT xmin::text FROM centercode.users WHERE id = 2") != xmin2);
  CHECK(db.scalar("SELECT first_name FROM centercode.users WHERE id = 2") == "Bobby");

  // A full resync of identical rows writes nothing.
  auto again = db.run(spec, fields,
                      line(1, {"1", "Ann", "true", "1", std::nullopt}) +
                          line(2, {"2", "Bobby", "true", "2", std::nullopt}) +
                          line(3, {"3", "Cy", "true", "3", std::nullopt}, R"({"x": [1, 2]})") +
                          line(4, {"4", "Di", std::nullopt, std::nullopt, std::nullopt}));
  CHECK(again.unchanged == 4);
  CHECK(again.inserted + again.updated == 0);
}

TEST_CASE("duplicate keys within a run resolve last-wins and are counted") {
  Db db;
  auto counts = db.run(keyed_spec(), user_fields(),
                       line(1, {"7", "first", "true", "1", std::nullopt}) +
                           line(2, {"8", "other", "true", "1", std::nullopt}) +
                           line(3, {"7", "second", "true", "1", std::nullopt}) +
                           line(4, {"7", "last", "false", "1", std::nullopt}));
  CHECK(counts.duplicates == 2);
  CHECK(counts.inserted == 2);
  CHECK(db.scalar("SELECT first_name || active FROM centercode.users WHERE id = 7") == "lastfalse");
  CHECK(db.scalar("SELECT duplicates FROM ccetl.runs") == "2");
}

TEST_CASE("rejects are recorded with the run") {
  Db db;
  std::vector<ccetl::Reject> rejects{{3, 2, "Score", "abc", "not a double"},
                                     {3, 5, "", "", "missing key field 'ID'"},
                                     {4, 9, "Joined", "bad\xff utf8", "not a date"}};
  auto counts = db.run(keyed_spec(), user_fields(),
                       line(1, {"1", "Ann", "true", std::nullopt, std::nullopt}), {}, rejects);
  CHECK(counts.rejected == 3);
  CHECK(db.count("SELECT count(*) FROM ccetl.rejects r JOIN ccetl.runs USING (run_id) "
                 "WHERE r.job = 'job_users'") == 3);
  CHECK(db.scalar(
            "SELECT raw_value || '|' || reason || '|' || page || '|' || row_seq FROM ccetl.rejects "
            "WHERE field = 'Score'") == "abc|not a double|3|2");
  CHECK(db.scalar("SELECT raw_value FROM ccetl.rejects WHERE field = 'Joined'") == "bad? utf8");
  CHECK(db.scalar("SELECT rejected FROM ccetl.runs") == "3");
}

TEST_CASE("a bad value fails the COPY as a Data error naming line and column; nothing changes") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, user_fields(), line(1, {"1", "Ann", "true", "1", std::nullopt}));
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare(user_fields());
  copy_rows(*load, line(1, {"1", "Changed", "true", "1", std::nullopt}) +
                  line(2, {"two", "x", "true", "1", std::nullopt}));
  try {
    load->commit({});
    FAIL("commit should fail");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Data);
    std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("line 2") && Catch::Contains("column id") &&
                        Catch::Contains("centercode.users"));
    load->abort();
    db.wh->fail_run(run_id, msg, {});
  }
  CHECK(db.scalar("SELECT first_name FROM centercode.users WHERE id = 1") == "Ann");
  CHECK(db.scalar("SELECT status FROM ccetl.runs WHERE run_id = '" + run_id + "'") == "failed");
}

TEST_CASE("abort leaves the table exactly as it was, even mid-COPY and after schema changes") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, user_fields(), line(1, {"1", "Ann", "true", "1", std::nullopt}));
  std::string before =
      db.scalar("SELECT xmin::text || row_to_json(u)::text FROM centercode.users u");
  auto fields = user_fields();
  fields.push_back(field("New Field", DataType::String));
  fields[3].type = DataType::String;  // widening Score
  {
    auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
    load->prepare(fields);
    copy_rows(*load, line(1, {"1", "Zed", "true", "x", std::nullopt, "n"}));
    load->abort();  // COPY still open
    load->abort();  // idempotent
  }
  CHECK(db.scalar("SELECT xmin::text || row_to_json(u)::text FROM centercode.users u") == before);
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'centercode.users'::regclass AND attname = 'score'") == "double precision");
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.users'::regclass "
                 "AND attname = 'new_field'") == 0);
  {
    // Destroyed without commit: same as abort.
    auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
    load->prepare(fields);
  }
  CHECK(db.scalar("SELECT xmin::text || row_to_json(u)::text FROM centercode.users u") == before);
}

TEST_CASE("dates become timestamptz read in the job's time zone") {
  Db db;
  auto spec = keyed_spec("events");
  spec.time_zone = "America/New_York";
  std::vector<ccetl::Field> fields{field("ID", DataType::Integer), field("When", DataType::Date)};
  db.run(spec, fields,
         line(1, {"1", "2024-07-01 12:00:00"}) + line(2, {"2", "2024-01-15 08:30:00"}));
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'centercode.events'::regclass AND attname = 'f_when'") ==
        "timestamp with time zone");
  CHECK(db.scalar("SELECT (f_when AT TIME ZONE 'UTC')::text FROM centercode.events WHERE id = 1") ==
        "2024-07-01 16:00:00");
  CHECK(db.scalar("SELECT (f_when AT TIME ZONE 'UTC')::text FROM centercode.events WHERE id = 2") ==
        "2024-01-15 13:30:00");

  spec.time_zone = "Not/AZone";
  auto load = db.wh->begin_load(spec, db.wh->start_run(spec.job));
  try {
    load->prepare(fields);
    FAIL("unknown zone accepted");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Config);
  }
}

TEST_CASE("fan-out jobs key on project_key plus the key fields") {
  Db db;
  auto spec = keyed_spec("feedback");
  spec.project_key_column = true;
  std::vector<ccetl::Field> fields{field("ID", DataType::Integer),
                                   field("Title", DataType::String)};
  auto c =
      db.run(spec, fields,
             line(1, {"1", "a"}, std::nullopt, "P1") + line(2, {"1", "b"}, std::nullopt, "P2") +
                 line(3, {"1", "c"}, std::nullopt, "P1"));
  CHECK(c.inserted == 2);
  CHECK(c.duplicates == 1);
  CHECK(db.scalar("SELECT title FROM centercode.feedback WHERE project_key = 'P1'") == "c");
  CHECK(
      db.scalar("SELECT attname FROM pg_attribute WHERE attrelid = 'centercode.feedback'::regclass "
                "AND attnum = 1") == "project_key");
}

TEST_CASE("a missing key field is a Config error") {
  Db db;
  auto load = db.wh->begin_load(keyed_spec("t", {"Nope"}), db.wh->start_run("job_t"));
  try {
    load->prepare(user_fields());
    FAIL("accepted");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Config);
    CHECK_THAT(std::string(e.what()), Catch::Contains("Nope"));
  }
}

TEST_CASE("adding time_zone reads stored timestamps as local times in the zone; rows read again are right") {
  // docs/warehouse.md, "Dates": the ALTER's USING `col AT TIME ZONE zone` is right for local
  // times, shifts values stored from offsets (held as UTC), and a run that reads a row again
  // rewrites it from the API's value.
  Db db;
  auto spec = keyed_spec("events");
  std::vector<ccetl::Field> fields{field("ID", DataType::Integer), field("When", DataType::Date)};
  // 1 and 2 came with an offset (rendered as UTC), 3 without one.
  db.run(spec, fields,
         line(1, {"1", "2024-07-01 10:00:00+00:00"}) + line(2, {"2", "2024-07-01 10:00:00+00:00"}) +
             line(3, {"3", "2024-07-01 10:00:00"}));
  spec.time_zone = "America/New_York";
  db.run(spec, fields, line(1, {"1", "2024-07-01 10:00:00+00:00"}));  // only row 1 is read again
  auto utc = [&](int id) {
    return db.scalar("SELECT (f_when AT TIME ZONE 'UTC')::text FROM centercode.events WHERE id = " +
                     std::to_string(id));
  };
  CHECK(utc(1) == "2024-07-01 10:00:00");  // rewritten from the API's instant
  CHECK(utc(2) == "2024-07-01 14:00:00");  // not read again: shifted by New York's offset
  CHECK(utc(3) == "2024-07-01 14:00:00");  // a local time, now read in New York: right
}
