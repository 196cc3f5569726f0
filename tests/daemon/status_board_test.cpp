// The status page never blocks the scheduler loop: while StatusSite::get waits on a locked
// ccetl.runs, StatusBoard::publish (what the loop calls on every pass) still returns at once.
// In-process, against a real PostgreSQL: the page holds no lock of the board during its query.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>

#include "daemon/status_fixture.h"
#include "daemon/status_site.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;

TEST_CASE("status board: the loop publishes while a page waits on a locked ccetl.runs") {
  SyncHarness h;
  auto config = std::make_shared<const Config>(h.config(kStatusJobs));
  connect_warehouse(h.dsn())->ensure_catalog();
  StatusBoard board;
  board.publish(config, {});
  // A statement timeout far beyond every bound below: the page stays blocked until the lock goes.
  StatusSite site(board, 300s);

  pqxx::connection locker(h.dsn());
  pqxx::work tx(locker);
  tx.exec("LOCK TABLE ccetl.runs IN ACCESS EXCLUSIVE MODE");
  std::atomic<bool> page_done{false};
  auto page = std::async(std::launch::async, [&] {
    auto r = site.get("/api/jobs");
    page_done = true;
    return r;
  });
  // The page's query is waiting for the lock ...
  REQUIRE(eventually([&] {
    return h.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                   "AND query LIKE '%WITH ORDINALITY%' AND pid <> pg_backend_pid()") > 0;
  }, 30s));

  // ... and the loop's publish, from another thread, completes meanwhile. The bound only has to
  // stay below the page's 300 s wait, so it is generous for a loaded machine; a page that held
  // the board's mutex during its query would keep publish waiting until the lock is released.
  constexpr int64_t kNextRun = 4102444800;  // 2100-01-01T00:00:00Z
  auto publisher = std::async(std::launch::async, [&] {
    for (int tick = 0; tick < 3; ++tick) board.publish(config, {{"feedback_scores", kNextRun}});
    return board.view().next_runs.size();
  });
  const bool published = publisher.wait_for(20s) == std::future_status::ready;
  CHECK(published);
  CHECK_FALSE(page_done.load());  // the page was still blocked the whole time

  tx.abort();  // lets the page (and, were it broken, the publisher) go
  auto blocked = page.get();
  REQUIRE(blocked);
  CHECK(blocked->status == 200);
  CHECK(publisher.get() == 1);
  // The next page reads what was published while the first one waited.
  auto after = site.get("/api/jobs");
  REQUIRE(after);
  CHECK(after->status == 200);
  CHECK_THAT(after->body, Catch::Contains("\"next_run\": \"2100-01-01T00:00:00Z\""));
}
