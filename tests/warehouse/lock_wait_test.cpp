// Schema changes never make BI readers wait for long: the DDL of a run that adds a column is
// applied just before the merge under warehouse.lock_timeout, and a run that cannot get the
// lock gives up with a clear error instead of queueing every reader behind it.
//
// Setup of both cases: a "BI session" holds an open transaction that has read the table's view
// (an ACCESS SHARE lock, as a long dashboard query does), while a "dashboard" thread keeps
// running short queries on the table and on its view and records the longest one. Before the
// change, prepare() ran the ALTER at the first page without a lock_timeout: it queued behind the
// BI session for as long as that lasted, and every dashboard query queued behind the ALTER.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Holds an ACCESS SHARE lock on centercode.users and its view for `hold`, or until release().
class BiSession {
 public:
  BiSession(const std::string& dsn, std::chrono::milliseconds hold) : conn_(dsn) {
    thread_ = std::thread([this, hold] {
      pqxx::work tx(conn_);
      tx.exec("SELECT count(*) FROM centercode.users_v");
      holding_ = true;
      auto until = Clock::now() + hold;
      while (!released_ && Clock::now() < until) std::this_thread::sleep_for(20ms);
      tx.commit();
      holding_ = false;
    });
    while (!holding_) std::this_thread::sleep_for(10ms);
  }
  ~BiSession() {
    release();
    thread_.join();
  }
  void release() { released_ = true; }
  bool holding() const { return holding_; }

 private:
  pqxx::connection conn_;
  std::atomic<bool> holding_{false}, released_{false};
  std::thread thread_;
};

// Short queries on the table and its view, alternately, until destroyed; the longest one.
class Dashboard {
 public:
  explicit Dashboard(const std::string& dsn) : conn_(dsn) {
    thread_ = std::thread([this] {
      for (int i = 0; !stop_; ++i) {
        auto t0 = Clock::now();
        pqxx::nontransaction tx(conn_);
        tx.exec(i % 2 ? "SELECT count(*) FROM centercode.users" : "SELECT count(*) FROM centercode.users_v");
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
        if (took > longest_.load()) longest_ = took;
        ++queries_;
        std::this_thread::sleep_for(30ms);
      }
    });
  }
  ~Dashboard() {
    stop_ = true;
    thread_.join();
  }
  std::chrono::milliseconds longest() const { return longest_.load(); }
  int queries() const { return queries_; }

 private:
  pqxx::connection conn_;
  std::atomic<bool> stop_{false};
  std::atomic<std::chrono::milliseconds> longest_{0ms};
  std::atomic<int> queries_{0};
  std::thread thread_;
};

std::vector<ccetl::Field> v1() { return {field("ID", DataType::Integer), field("Name", DataType::String)}; }
std::vector<ccetl::Field> v2() {
  return {field("ID", DataType::Integer), field("Name", DataType::String), field("City", DataType::String)};
}

}  // namespace

TEST_CASE("a run that adds a column never blocks readers of the table and view beyond lock_timeout") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, v1(), line(1, {"1", "Ann"}) + line(2, {"2", "Bob"}));
  spec.lock_timeout = 1000ms;
  spec.lock_attempts = 3;  // waits 0-1 s, pauses 1 s, 2-3 s, pauses 2 s, tries again at ~5 s

  Dashboard dashboard(db.dsn);
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  std::optional<BiSession> bi;
  bi.emplace(db.dsn, 4500ms);  // a dashboard query that runs for 4.5 s
  load->prepare(v2());         // pages arrive while the BI session holds its lock
  copy_rows(*load, line(1, {"1", "Ann", "Oslo"}) + line(2, {"2", "Bob", "Rome"}));
  auto t0 = Clock::now();
  ccetl::RunEnd end;
  end.rows_read = 2;
  auto counts = load->commit(end);
  auto commit_took = Clock::now() - t0;
  bi.reset();

  CHECK(counts.updated == 2);
  CHECK(db.scalar("SELECT city FROM centercode.users WHERE id = 2") == "Rome");
  CHECK(db.scalar("SELECT \"City\" FROM centercode.users_v WHERE \"ID\" = 1") == "Oslo");
  // The BI lock was really in the way: the DDL had to wait for it.
  CHECK(commit_took >= 900ms);
  INFO("longest dashboard query: " << dashboard.longest().count() << " ms of " << dashboard.queries());
  CHECK(dashboard.queries() > 10);
  // lock_timeout (1 s) plus slack for a loaded machine; before the fix, about 4.5 s (or a
  // deadlock between the ALTER and a query on the view).
  CHECK(dashboard.longest() < 3000ms);
}

TEST_CASE("a run behind a reader that never lets go fails with a clear error and changes nothing") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, v1(), line(1, {"1", "Ann"}));
  spec.lock_timeout = 1000ms;
  spec.lock_attempts = 2;

  Dashboard dashboard(db.dsn);
  BiSession bi(db.dsn, 15s);  // released by the test; the bound only keeps a broken run finite
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare(v2());
  copy_rows(*load, line(1, {"1", "Ann", "Oslo"}));
  ccetl::RunEnd end;
  end.rows_read = 1;
  std::string error;
  try {
    load->commit(end);
  } catch (const ccetl::Error& e) {
    error = e.what();
    CHECK(e.kind() == ccetl::ErrorKind::Transient);
  }
  CHECK(bi.holding());  // the run gave up while the reader still held its lock
  load->abort();
  bi.release();
  INFO(error);
  CHECK_THAT(error, Catch::Contains("lock_timeout") && Catch::Contains("centercode.users") &&
                        Catch::Contains("ADD COLUMN") && Catch::Contains("2 attempts"));
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'centercode.users'::regclass "
                 "AND attname = 'city'") == 0);
  CHECK(db.scalar("SELECT name FROM centercode.users WHERE id = 1") == "Ann");
  INFO("longest dashboard query: " << dashboard.longest().count() << " ms");
  CHECK(dashboard.longest() < 3000ms);
}
