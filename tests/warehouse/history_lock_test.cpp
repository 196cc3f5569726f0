// A schema change of a history table never deadlocks with a reader of its view.
//
// A query on <table>_history_v locks the view, then the history table. A run that changes the
// history table's shape (here: a new field) ALTERs the table and then re-creates the view. Had
// it locked them in that order, a reader arriving between the two would hold the view and wait
// for the table while the run holds the table and waits for the view: a deadlock, which
// PostgreSQL resolves by failing one of them (the BI query, or the run's schema change). The run
// therefore locks the history view before the history table, as readers do.
//
// The reader is held at the dangerous moment deterministically: a query on a view locks the view
// when it is parsed and its tables when the view is expanded (rewritten). CREATE TEMP VIEW over
// the view does only the first half, and keeps that ACCESS SHARE lock until the reader's
// transaction ends (rolled back: the temporary view is never kept). The reader goes on to the
// history table only once the run is seen waiting for a lock on the view (pg_locks).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;
using namespace std::chrono_literals;

TEST_CASE("a history schema change locks the history view before the history table, as readers do") {
  Db db;
  auto spec = keyed_spec();
  spec.history = true;
  spec.lock_timeout = 60000ms;  // the run waits for the reader rather than giving up
  spec.lock_attempts = 1;       // a deadlock would fail the run instead of being retried
  std::vector<ccetl::Field> v1{field("ID", DataType::Integer), field("Name", DataType::String)};
  std::vector<ccetl::Field> v2{field("ID", DataType::Integer), field("Name", DataType::String),
                               field("City", DataType::String)};
  db.run(spec, v1, line(1, {"1", "Ann"}) + line(2, {"2", "Bob"}));

  // The reader: its transaction holds the history view, as a query on it does before it locks
  // the history table. It detects a deadlock quickly (the run's session waits 1 s, the default).
  pqxx::connection reader_conn(db.dsn);
  auto reader = std::make_unique<pqxx::work>(reader_conn);
  reader->exec("SET LOCAL deadlock_timeout = '100ms'");
  reader->exec("CREATE TEMP VIEW reader_probe AS SELECT * FROM centercode.users_history_v");
  REQUIRE(db.count("SELECT count(*) FROM pg_locks WHERE granted AND relation = "
                   "'centercode.users_history_v'::regclass") == 1);
  REQUIRE(db.count("SELECT count(*) FROM pg_locks WHERE relation = 'centercode.users_history'::regclass") == 0);

  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare(v2);
  copy_rows(*load, line(1, {"1", "Ann", "Oslo"}) + line(2, {"2", "Bob", "Rome"}));
  std::atomic<bool> done{false};
  ccetl::RunCounts counts;
  std::string run_error;
  std::thread run([&] {
    try {
      ccetl::RunEnd end;
      end.rows_read = 2;
      counts = load->commit(end);
    } catch (const std::exception& e) {
      run_error = e.what();
    }
    done = true;
  });

  bool run_waits = false;
  std::string reader_error;
  try {
    // Wait (bounded) until the run waits for the history view, which the reader holds.
    for (int i = 0; i < 3000 && !run_waits && !done; ++i) {
      run_waits = db.count("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                           "'centercode.users_history_v'::regclass") > 0;
      if (!run_waits) std::this_thread::sleep_for(20ms);
    }
    // The reader goes on to the history table, as its view query would.
    reader->exec("SELECT count(*) FROM centercode.users_history");
  } catch (const std::exception& e) {
    reader_error = e.what();
  }
  reader.reset();  // rolls the reader's transaction back: the run can have the view
  run.join();

  CHECK(run_waits);
  INFO("reader: " << reader_error);
  CHECK(reader_error.empty());
  INFO("run: " << run_error);
  REQUIRE(run_error.empty());
  CHECK(counts.updated == 2);
  CHECK(db.scalar("SELECT string_agg(\"City\", ' ' ORDER BY \"ID\") FROM centercode.users_history_v "
                  "WHERE _valid_to = 'infinity'") == "Oslo Rome");
}
