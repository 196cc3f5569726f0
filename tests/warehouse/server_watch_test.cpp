// ServerWatch (src/warehouse/server_watch.h): a frozen server (SIGSTOP on every process of the
// test cluster: connections stay open, nothing answers, as with a frozen host) ends the wait on
// it within the watch's bound, with its verdict in the error; a long statement on a working
// server is never cut; interrupt() ends a statement the frozen server never cancels.
#include <catch2/catch.hpp>

#include <future>
#include <pqxx/pqxx>
#include <thread>

#include "core/error.h"
#include "support/pg_cluster.h"
#include "warehouse/db_error.h"
#include "warehouse/server_watch.h"
#include "wh_support.h"

using namespace std::chrono_literals;
using ccetl::warehouse::ServerWatch;
using ccetl::warehouse::ServerWatchTiming;
using Clock = std::chrono::steady_clock;

namespace {

// Thaws the cluster whatever the test's outcome.
struct Frozen {
  int processes = ccetl::test::freeze_cluster();
  ~Frozen() { ccetl::test::thaw_cluster(); }
};

ServerWatchTiming quick() {
  ServerWatchTiming t;
  t.first_check = 500ms;
  t.check_timeout = 2s;  // libpq's connect_timeout is whole seconds, at least 2
  t.failed_checks = 2;
  t.interrupt_grace = 1s;
  return t;
}

// Runs `sql` inside a Busy scope of a watch on its connection; returns the error text ("" when
// it succeeded). `during` runs on another thread once the statement was sent.
struct Outcome {
  std::string error;
  std::optional<std::string> verdict;
  Clock::duration took{};
};
// libpqxx 6.4 hands out a transaction's PGconn only to largeobject and its subclasses.
struct RawConnection : pqxx::largeobject {
  static void* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

Outcome watched_statement(const std::string& dsn, const std::string& sql, ServerWatchTiming t,
                          const std::function<void(ServerWatch&)>& during = {}) {
  pqxx::connection conn(dsn);
  pqxx::work tx(conn);
  ServerWatch watch(dsn, conn.sock(), conn.hostname(), conn.port(), t);
  watch.set_cancel(RawConnection::of(tx));  // with a real cancel request
  Outcome out;
  std::thread side;
  const auto start = Clock::now();
  try {
    auto busy = watch.busy();
    if (during) side = std::thread([&] { during(watch); });
    try {
      tx.exec(sql);
    } catch (...) {
      ccetl::warehouse::rethrow_db_error("running the test statement", "");
    }
  } catch (const ccetl::Error& e) {
    out.error = e.what();
  }
  out.took = Clock::now() - start;
  if (side.joinable()) side.join();
  out.verdict = watch.verdict();
  return out;
}

}  // namespace

// Bug caught: a watch that cuts statements by their duration (a fixed deadline) would end a
// long merge on a healthy server.
TEST_CASE("server watch: a statement far longer than the first check on a working server is not cut") {
  wh_test::Db db;
  auto out = watched_statement(db.dsn, "SELECT pg_sleep(4)", quick());
  CHECK(out.error.empty());
  CHECK_FALSE(out.verdict);
}

// Bug caught: a silent server that keeps TCP open hangs the run forever (no client-side bound).
TEST_CASE("server watch: a frozen server ends the waiting statement with the watch's verdict") {
  if (!ccetl::test::owns_cluster()) {
    WARN("the test cluster is shared (CCETL_TEST_PG_DSN_BASE): freeze test skipped");
    return;
  }
  wh_test::Db db;
  std::optional<Frozen> frozen;
  auto run = std::async(std::launch::async, [&] {
    return watched_statement(db.dsn, "SELECT pg_sleep(2)", quick(), [&](ServerWatch&) {
      std::this_thread::sleep_for(300ms);
      frozen.emplace();
    });
  });
  // Without the watch the statement never ends: thaw after a minute and fail, not hang.
  bool ended = run.wait_for(60s) == std::future_status::ready;
  int stopped = frozen ? frozen->processes : 0;
  frozen.reset();
  auto out = run.get();
  REQUIRE(stopped >= 2);  // the fault fired: postmaster and at least our backend were stopped
  CHECK(ended);
  REQUIRE(out.verdict);
  CHECK_THAT(*out.verdict, Catch::Contains("stopped answering"));
  CHECK_THAT(out.error, Catch::Contains("running the test statement: the database stopped answering"));
  CHECK(out.took < 30s);
}

// Bug caught: PQcancel on the caller's thread hangs on a frozen server (libpq's cancel request
// has no timeout), so SIGTERM never ends the run.
TEST_CASE("server watch: interrupt() returns at once and ends a statement a frozen server never cancels") {
  if (!ccetl::test::owns_cluster()) {
    WARN("the test cluster is shared (CCETL_TEST_PG_DSN_BASE): freeze test skipped");
    return;
  }
  wh_test::Db db;
  auto t = quick();
  t.first_check = 10min;  // only the interrupt path may end it
  std::optional<Frozen> frozen;
  Clock::duration interrupt_took{};
  auto run = std::async(std::launch::async, [&] {
    return watched_statement(db.dsn, "SELECT pg_sleep(2)", t, [&](ServerWatch& w) {
      std::this_thread::sleep_for(300ms);
      frozen.emplace();
      auto start = Clock::now();
      w.interrupt();
      interrupt_took = Clock::now() - start;
    });
  });
  bool ended = run.wait_for(60s) == std::future_status::ready;
  frozen.reset();
  auto out = run.get();
  CHECK(ended);
  CHECK(interrupt_took < 1s);
  REQUIRE(out.verdict);
  CHECK_THAT(*out.verdict, Catch::Contains("cancelled"));
  CHECK(out.took < 30s);
}
