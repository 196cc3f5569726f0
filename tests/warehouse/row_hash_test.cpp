// The resync fast path (merge_sql.h, row_hash.h): unchanged rows filtered out by (key,
// _row_hash) before ON CONFLICT, deduplication only when a key repeats, and the cases where a
// hash alone must not decide: legacy tables without the column, widened columns, soft-deleted
// rows coming back, history.
#include <catch2/catch.hpp>

#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {

std::vector<ccetl::Field> fields(DataType score = DataType::Integer) {
  return {field("ID", DataType::Integer), field("Name", DataType::String),
          field("Score", score)};
}

std::string rows(const std::vector<std::tuple<int, std::string, std::string>>& items) {
  std::string out;
  int seq = 1;
  for (const auto& [id, name, score] : items) out += line(seq++, {std::to_string(id), name, score});
  return out;
}

const std::string kThree = rows({{1, "Ann", "10"}, {2, "Bob", "20"}, {3, "Cy", "30"}});

// Per row "id:xmin:xmax", in id order: xmax is set when a row was locked (ON CONFLICT locks
// every conflicting row, also the ones its WHERE then skips), xmin when it was written.
std::string tuple_state(Db& db) {
  return db.scalar("SELECT string_agg(id || ':' || xmin || ':' || xmax, ' ' ORDER BY id) FROM centercode.users");
}

std::string synced(Db& db) {
  return db.scalar("SELECT string_agg(_synced_at::text, ' ' ORDER BY id) FROM centercode.users");
}

}  // namespace

TEST_CASE("row hash: an unchanged resync neither writes nor locks a row") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, fields(), kThree);
  CHECK(db.count("SELECT count(*) FROM centercode.users WHERE _row_hash IS NULL") == 0);
  const std::string before = tuple_state(db);
  auto c = db.run(spec, fields(), kThree);
  CHECK(c.unchanged == 3);
  CHECK(c.inserted + c.updated == 0);
  // Without the prefilter ON CONFLICT locks all three (xmax = the run's transaction).
  CHECK(tuple_state(db) == before);
  CHECK(db.count("SELECT count(*) FROM centercode.users WHERE xmax <> '0'") == 0);

  // A changed row is written (and only it); its hash follows its content.
  std::string hash2 = db.scalar("SELECT _row_hash::text FROM centercode.users WHERE id = 2");
  auto changed = db.run(spec, fields(), rows({{1, "Ann", "10"}, {2, "Bobby", "20"}, {3, "Cy", "30"}}));
  CHECK(changed.updated == 1);
  CHECK(changed.unchanged == 2);
  CHECK(db.scalar("SELECT _row_hash::text FROM centercode.users WHERE id = 2") != hash2);
  // Rows 1 and 3 were not locked either (an updated row's new version carries the updater's
  // xid in xmax).
  CHECK(db.count("SELECT count(*) FROM centercode.users WHERE id <> 2 AND xmax <> '0'") == 0);
}

TEST_CASE("row hash: duplicate keys in a resync resolve last-wins, also when the last equals the stored row") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, fields(), kThree);
  const std::string before = tuple_state(db);
  // Key 2 changed then changed back (the last copy equals the stored row): a prefilter on
  // undeduplicated staging would drop the last copy and apply the first.
  auto c = db.run(spec, fields(),
                  line(1, {"1", "Ann", "10"}) + line(2, {"2", "Changed", "99"}) +
                      line(3, {"3", "Cy", "30"}) + line(4, {"2", "Bob", "20"}));
  CHECK(c.duplicates == 1);
  CHECK(c.unchanged == 3);
  CHECK(c.updated == 0);
  CHECK(db.scalar("SELECT name || ':' || score FROM centercode.users WHERE id = 2") == "Bob:20");
  CHECK(tuple_state(db) == before);
  // And the other way round: the last copy is the new content.
  auto d = db.run(spec, fields(),
                  line(1, {"2", "Bob", "20"}) + line(2, {"1", "Ann", "10"}) +
                      line(3, {"2", "Last", "21"}) + line(4, {"3", "Cy", "30"}));
  CHECK(d.duplicates == 1);
  CHECK(d.updated == 1);
  CHECK(db.scalar("SELECT name || ':' || score FROM centercode.users WHERE id = 2") == "Last:21");
}

TEST_CASE("row hash: a table from before the hash converges, counts nothing as changed, then stops writing") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, fields(), kThree);
  db.exec("ALTER TABLE centercode.users DROP COLUMN _row_hash");  // as an older ccetl left it
  const std::string synced_before = synced(db);
  auto first = db.run(spec, fields(), kThree);  // ADD COLUMN _row_hash at commit, all NULL
  CHECK(first.unchanged == 3);
  CHECK(first.updated == 0);
  CHECK(synced(db) == synced_before);  // content unchanged: _synced_at kept
  CHECK(db.count("SELECT count(*) FROM centercode.users WHERE _row_hash IS NULL") == 0);
  const std::string converged = tuple_state(db);
  auto second = db.run(spec, fields(), kThree);
  CHECK(second.unchanged == 3);
  CHECK(tuple_state(db) == converged);  // no row written or locked on the second run
}

TEST_CASE("row hash: a widened column changes the hash, not the content; rows are not counted as changed") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, fields(DataType::Integer), kThree);
  const std::string hash1 = db.scalar("SELECT _row_hash::text FROM centercode.users WHERE id = 1");
  const std::string synced_before = synced(db);
  // Score becomes a double: the column widens to numeric, the same text is the same value.
  ccetl::SchemaPlan plan;
  auto c = db.run(spec, fields(DataType::Double), kThree, {}, {}, &plan);
  CHECK(db.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                  "'centercode.users'::regclass AND attname = 'score'") == "numeric");
  CHECK(c.unchanged == 3);
  CHECK(c.updated == 0);
  CHECK(synced(db) == synced_before);
  CHECK(db.scalar("SELECT _row_hash::text FROM centercode.users WHERE id = 1") != hash1);
  // A value that does change under the widened type is still seen.
  auto d = db.run(spec, fields(DataType::Double), rows({{1, "Ann", "10.5"}, {2, "Bob", "20"}, {3, "Cy", "30"}}));
  CHECK(d.updated == 1);
  const std::string converged = tuple_state(db);
  CHECK(db.run(spec, fields(DataType::Double), rows({{1, "Ann", "10.5"}, {2, "Bob", "20"}, {3, "Cy", "30"}})).unchanged == 3);
  CHECK(tuple_state(db) == converged);
}

TEST_CASE("row hash: a soft-deleted row that returns unchanged is revived") {
  Db db;
  auto spec = keyed_spec();
  spec.deletes = ccetl::DeleteMode::Soft;
  db.run(spec, fields(), kThree);
  auto gone = db.run(spec, fields(), rows({{1, "Ann", "10"}, {3, "Cy", "30"}}));
  CHECK(gone.deleted == 1);
  // Same text, same hash as stored: only _deleted_at differs.
  auto back = db.run(spec, fields(), kThree);
  CHECK(back.updated == 1);
  CHECK(back.deleted == 0);
  CHECK(db.count("SELECT count(*) FROM centercode.users WHERE _deleted_at IS NULL") == 3);
}

TEST_CASE("row hash: history versions only rows whose content changed, not a hash-only update") {
  Db db;
  auto spec = keyed_spec();
  spec.history = true;
  spec.deletes = ccetl::DeleteMode::Hard;
  db.run(spec, fields(), kThree);
  CHECK(db.count("SELECT count(*) FROM centercode.users_history") == 3);
  db.exec("ALTER TABLE centercode.users DROP COLUMN _row_hash");
  // Every row takes a hash, one row also changes: exactly one version is closed and opened.
  auto c = db.run(spec, fields(), rows({{1, "Ann", "10"}, {2, "Bob", "21"}, {3, "Cy", "30"}}));
  CHECK(c.updated == 1);
  CHECK(c.unchanged == 2);
  CHECK(db.count("SELECT count(*) FROM centercode.users_history") == 4);
  CHECK(db.count("SELECT count(*) FROM centercode.users_history WHERE _valid_to <> 'infinity'") == 1);
  CHECK(db.scalar("SELECT string_agg(id || ':' || score, ' ' ORDER BY id) FROM centercode.users_history "
                  "WHERE _valid_to = 'infinity'") == "1:10 2:21 3:30");
  // The history table has no _row_hash.
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.users_history'::regclass "
                 "AND attname = '_row_hash'") == 0);
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.users_v'::regclass "
                 "AND attname = '_row_hash'") == 0);
}

TEST_CASE("row hash: in a run that changes the schema, unchanged rows are still neither written nor locked") {
  // A renamed question keeps its column (same identity): the run changes only the comment and
  // the view, so no lookup runs while staging, and the merge's anti join on (key, hash) is what
  // keeps the unchanged rows away from ON CONFLICT.
  Db db;
  auto spec = keyed_spec();
  std::vector<ccetl::Field> before{field("ID", DataType::Integer), field("Name", DataType::String, "q1")};
  std::vector<ccetl::Field> after{field("ID", DataType::Integer), field("Full Name", DataType::String, "q1")};
  const std::string text = line(1, {"1", "Ann"}) + line(2, {"2", "Bob"});
  db.run(spec, before, text);
  const std::string state = tuple_state(db);
  ccetl::SchemaPlan plan;
  auto c = db.run(spec, after, text, {}, {}, &plan);
  REQUIRE_FALSE(plan.ddl.empty());  // the schema did change
  CHECK(c.unchanged == 2);
  CHECK(tuple_state(db) == state);
}

TEST_CASE("row hash: a lookup connection lost mid-run falls back to staging rows in full") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, fields(), kThree + line(4, {"4", "Di", "40"}));
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare(fields());
  copy_rows(*load, line(1, {"1", "Ann", "10"}) + line(2, {"2", "Bob", "20"}));  // held, looked up
  // The lookup's backend goes away (as in a server restart of that one session).
  CHECK(db.count("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE query LIKE 'SELECT s.i FROM unnest(%' AND pid <> pg_backend_pid()) t") == 1);
  copy_rows(*load, line(3, {"3", "Cy", "31"}));
  copy_rows(*load, line(4, {"4", "Di", "40"}));
  ccetl::RunEnd end;
  end.rows_read = 4;
  auto c = load->commit(end);
  CHECK(c.updated == 1);
  CHECK(c.unchanged == 3);
  CHECK(db.scalar("SELECT string_agg(id || ':' || name || ':' || score, ' ' ORDER BY id) FROM centercode.users") ==
        "1:Ann:10 2:Bob:20 3:Cy:31 4:Di:40");
}
