// Full refresh (no key) and keyed deletes with their safety checks.
#include <catch2/catch.hpp>

#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::vector<ccetl::Field> kv_fields() {
  return {field("ID", DataType::Integer), field("Value", DataType::String)};
}
std::string rows(int from, int to, const std::string& value = "v") {
  std::string out;
  for (int i = from; i <= to; ++i) out += line(i, {std::to_string(i), value + std::to_string(i)});
  return out;
}
}  // namespace

TEST_CASE("full refresh replaces the snapshot; a concurrent reader sees old or new, never empty") {
  Db db;
  auto spec = keyed_spec("lookup", {});
  auto c1 = db.run(spec, kv_fields(), rows(1, 5, "old"));
  CHECK(c1.inserted == 5);

  // A reader holding a snapshot from before the refresh keeps seeing the old rows...
  pqxx::connection reader_conn(db.dsn);
  pqxx::work reader(reader_conn, "reader");  // read committed: per-statement snapshots
  pqxx::connection rr_conn(db.dsn);
  pqxx::transaction<pqxx::repeatable_read> rr(rr_conn, "rr");
  CHECK(rr.exec("SELECT count(*) FROM centercode.lookup")[0][0].as<int>() == 5);

  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare(kv_fields());
  copy_rows(*load, rows(1, 4, "new"));
  // ...and while the refresh is uncommitted, a new statement also sees the old rows.
  auto commit_and_check = [&] {
    ccetl::RunEnd end;
    end.rows_read = 4;
    return load->commit(end);
  };
  CHECK(reader.exec("SELECT count(*), min(value) FROM centercode.lookup")[0][1].as<std::string>() ==
        "old1");
  auto c2 = commit_and_check();
  CHECK(c2.deleted == 5);
  CHECK(c2.inserted == 4);
  CHECK(rr.exec("SELECT count(*) FROM centercode.lookup")[0][0].as<int>() == 5);
  auto now = reader.exec("SELECT count(*), min(value) FROM centercode.lookup")[0];
  CHECK(now[0].as<int>() == 4);
  CHECK(now[1].as<std::string>() == "new1");
  // No key: duplicates are kept as rows.
  CHECK(
      db.count("SELECT count(*) FROM pg_constraint WHERE conrelid = 'centercode.lookup'::regclass "
               "AND contype = 'p'") == 0);
}

TEST_CASE("full refresh refuses incomplete runs and drastic shrinks") {
  Db db;
  auto spec = keyed_spec("lookup", {});
  db.run(spec, kv_fields(), rows(1, 10));
  ccetl::RunEnd incomplete;
  incomplete.complete = false;
  incomplete.rows_read = 2;
  auto c = db.run(spec, kv_fields(), rows(1, 2), incomplete);
  CHECK(c.deleted == 0);
  CHECK(db.count("SELECT count(*) FROM centercode.lookup") == 10);
  CHECK_THAT(db.scalar("SELECT messages FROM ccetl.runs ORDER BY started_at DESC LIMIT 1"),
             Catch::Contains("incomplete"));

  auto shrink = db.run(spec, kv_fields(), rows(1, 3));  // 70% fewer rows, ratio 0.5
  CHECK(shrink.deleted == 0);
  CHECK(db.count("SELECT count(*) FROM centercode.lookup") == 10);
  spec.max_delete_ratio = 1.0;
  db.run(spec, kv_fields(), rows(1, 3));
  CHECK(db.count("SELECT count(*) FROM centercode.lookup") == 3);
}

TEST_CASE("soft deletes mark rows missing from a complete run, and revive them when they return") {
  Db db;
  auto spec = keyed_spec("items");
  spec.deletes = ccetl::DeleteMode::Soft;
  db.run(spec, kv_fields(), rows(1, 10));
  auto c = db.run(spec, kv_fields(), rows(1, 8));
  CHECK(c.deleted == 2);
  CHECK(c.unchanged == 8);
  CHECK(db.count("SELECT count(*) FROM centercode.items WHERE _deleted_at IS NOT NULL") == 2);
  CHECK(db.count("SELECT count(*) FROM centercode.items") == 10);
  // Already deleted rows are not deleted again.
  auto again = db.run(spec, kv_fields(), rows(1, 8));
  CHECK(again.deleted == 0);
  // A returning row is revived (an update), even with unchanged content.
  auto back = db.run(spec, kv_fields(), rows(1, 9));
  CHECK(back.updated == 1);
  CHECK(db.scalar("SELECT _deleted_at FROM centercode.items WHERE id = 9") == "<null>");
  CHECK(db.scalar("SELECT deleted FROM ccetl.runs ORDER BY started_at LIMIT 1 OFFSET 1") == "2");
}

TEST_CASE("hard deletes remove rows; the ratio guard and incomplete runs delete nothing") {
  Db db;
  auto spec = keyed_spec("items");
  spec.deletes = ccetl::DeleteMode::Hard;
  spec.max_delete_ratio = 0.3;
  db.run(spec, kv_fields(), rows(1, 10));

  // Incomplete: never delete.
  ccetl::RunEnd incomplete;
  incomplete.complete = false;
  auto c1 = db.run(spec, kv_fields(), rows(1, 9), incomplete);
  CHECK(c1.deleted == 0);
  // Fewer rows than announced: never delete.
  ccetl::RunEnd short_read;
  short_read.total_results = 10;
  short_read.rows_read = 9;
  auto c2 = db.run(spec, kv_fields(), rows(1, 9), short_read);
  CHECK(c2.deleted == 0);
  CHECK_THAT(db.scalar("SELECT messages FROM ccetl.runs ORDER BY started_at DESC LIMIT 1"),
             Catch::Contains("9 rows of 10"));
  // Too many: 4 of 10 > 0.3.
  auto c3 = db.run(spec, kv_fields(), rows(1, 6));
  CHECK(c3.deleted == 0);
  CHECK(db.count("SELECT count(*) FROM centercode.items") == 10);
  CHECK_THAT(db.scalar("SELECT messages FROM ccetl.runs ORDER BY started_at DESC LIMIT 1"),
             Catch::Contains("max_delete_ratio"));
  // Within the ratio: 2 of 10.
  auto c4 = db.run(spec, kv_fields(), rows(1, 8));
  CHECK(c4.deleted == 2);
  CHECK(db.count("SELECT count(*) FROM centercode.items") == 8);
}

TEST_CASE("keep mode never deletes, where hard mode within the ratio does") {
  // 1 of 5 rows missing is under max_delete_ratio (0.5), so the guard cannot be what keeps it:
  // the same two runs with deletes: hard remove the row.
  for (auto mode : {ccetl::DeleteMode::Keep, ccetl::DeleteMode::Hard}) {
    Db db;
    auto spec = keyed_spec("items");
    spec.deletes = mode;
    db.run(spec, kv_fields(), rows(1, 5));
    auto c = db.run(spec, kv_fields(), rows(1, 4));
    const bool keep = mode == ccetl::DeleteMode::Keep;
    INFO((keep ? "keep" : "hard"));
    CHECK(c.deleted == (keep ? 0 : 1));
    CHECK(db.count("SELECT count(*) FROM centercode.items") == (keep ? 5 : 4));
    CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.items'::regclass "
                   "AND attname = '_deleted_at'") == 0);
  }
}

TEST_CASE("deletes and full refreshes are scoped to the projects proven complete") {
  auto fan_rows = [](const std::string& project, int from, int to) {
    std::string out;
    for (int i = from; i <= to; ++i)
      out += line(i, {std::to_string(i), project + std::to_string(i)}, std::nullopt, project);
    return out;
  };
  auto end_with = [](std::vector<ccetl::ProjectRead> projects) {
    ccetl::RunEnd end;
    end.projects = std::move(projects);
    return end;
  };
  const bool keyed = GENERATE(true, false);
  INFO((keyed ? "keyed, hard deletes" : "full refresh"));
  Db db;
  auto spec = keyed_spec("fan", keyed ? std::vector<std::string>{"ID"} : std::vector<std::string>{});
  spec.project_key_column = true;
  spec.deletes = ccetl::DeleteMode::Hard;
  spec.max_delete_ratio = 1.0;
  db.run(spec, kv_fields(),
         fan_rows("A", 1, 4) + fan_rows("B", 1, 4) + fan_rows("C", 1, 4) + fan_rows("D", 1, 4),
         end_with({{"A", "", 4, 0}, {"B", "", 4, 0}, {"C", "", 4, 0}, {"D", "", 4, 0}}));
  REQUIRE(db.count("SELECT count(*) FROM centercode.fan") == 16);
  // A: complete (2 rows + 1 bad-key reject = 3 announced). B: the pipeline saw its paging change.
  // C: 2 rows read of 4 announced. D was not read at all (skipped: a 404, or no longer in the
  // job's project list): it has no rows and no ProjectRead in this run.
  auto c = db.run(spec, kv_fields(), fan_rows("A", 1, 2) + fan_rows("B", 1, 1) + fan_rows("C", 1, 2),
                  end_with({{"A", "", 3, 1}, {"B", "page 2 reported totalResults 5", 4, 0}, {"C", "", 4, 0}}));
  CHECK(db.count("SELECT count(*) FROM centercode.fan WHERE project_key = 'A'") == 2);
  CHECK(db.count("SELECT count(*) FROM centercode.fan WHERE project_key = 'B'") == 4);
  CHECK(db.count("SELECT count(*) FROM centercode.fan WHERE project_key = 'C'") == 4);
  CHECK(db.count("SELECT count(*) FROM centercode.fan WHERE project_key = 'D'") == 4);
  CHECK(c.deleted == (keyed ? 2 : 4));  // a refresh replaces all of A's rows
  const std::string messages = db.scalar("SELECT messages FROM ccetl.runs ORDER BY started_at DESC LIMIT 1");
  CHECK_THAT(messages, Catch::Contains("for project 'B': the read is incomplete: page 2 reported totalResults 5"));
  CHECK_THAT(messages, Catch::Contains("for project 'C': the read is incomplete: 2"));
  CHECK_THAT(messages, !Catch::Contains("project 'A'"));
  CHECK_THAT(messages, !Catch::Contains("project 'D'"));
}
