// `ccetl run` as a CronJob or timer runs it: SIGTERM/SIGINT stop it promptly and cleanly, and a
// database that accepts connections but never answers cannot hang it.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include "support/child_process.h"
#include "support/eventually.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A 20-page package whose page 3 is never answered: the simulator reads the request and holds
// the connection (fault `hang`), so a run is provably inside an HTTP exchange when signalled.
void hanging_package(SyncHarness& h) {
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Hang", "resultsPerPage": 5,
                    "synthetic": {"rows": 100, "seed": 3, "fields": ["string", "integer"]}})");
  h.put_faults(R"({"rules": [{"kind": "hang", "path": "Hang", "page": 3}]})");
  h.config(R"(  - name: hang
    source: {scope: project_feedback, project: WidgetPro, report: Hang}
    key: [ID]
)", "  max_in_flight: 1\n  request_timeout: 10m\n");
}

bool page_requested(SyncHarness& h, int page) {
  return h.admin().get("/_sim/requests").body.find("page=" + std::to_string(page)) != std::string::npos;
}

// A TCP listener that accepts connections and never says a word: a database host that hangs.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;  // closed by the destructor
        ++accepted_;
        held_.push_back(c);  // kept open, never answered
      }
    });
  }
  ~SilentListener() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int c : held_) ::close(c);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<int> held_;
  std::thread thread_;
};

void check_cancelled_cleanly(SyncHarness& h, ChildProcess& p, int sig) {
  auto signalled = Clock::now();
  p.signal(sig);
  auto code = p.wait(20s);
  auto took = Clock::now() - signalled;
  INFO(p.err());
  REQUIRE(code);
  // Not killed by the signal (128 + sig): it handled it and reported a failed job.
  CHECK(*code == 1);
  // The hung request would have held the run for 10 minutes (request_timeout).
  CHECK(took < 10s);
  CHECK_THAT(p.err(), Catch::Contains(sig == SIGTERM ? "received SIGTERM" : "received SIGINT") &&
                          Catch::Contains("cancelled"));
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE job = 'hang' AND status = 'failed' AND "
                "error LIKE '%cancelled%'") == 1);
  // The transaction rolled back: the table this run was creating does not exist.
  CHECK(h.count("SELECT count(*) FROM pg_class WHERE relname = 'hang'") == 0);
}

}  // namespace

TEST_CASE("ccetl run: SIGTERM aborts the request in flight, rolls back, records the run as cancelled") {
  SyncHarness h;
  hanging_package(h);
  ChildProcess p(build_binary("ccetl"), {"run", "-c", h.config_path()});
  REQUIRE(eventually([&] { return page_requested(h, 3); }));
  std::this_thread::sleep_for(300ms);  // inside the exchange that never ends
  REQUIRE(p.running());
  check_cancelled_cleanly(h, p, SIGTERM);
}

TEST_CASE("ccetl run: SIGINT does the same") {
  SyncHarness h;
  hanging_package(h);
  ChildProcess p(build_binary("ccetl"), {"run", "-c", h.config_path()});
  REQUIRE(eventually([&] { return page_requested(h, 3); }));
  std::this_thread::sleep_for(300ms);
  REQUIRE(p.running());
  check_cancelled_cleanly(h, p, SIGINT);
}

TEST_CASE("ccetl run: a database that accepts connections and never answers fails the run with exit 3") {
  SyncHarness h;
  SilentListener silent;
  h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
)");
  // The same file, pointed at the silent host (the DSN sets no connect_timeout of its own).
  std::string text;
  {
    std::ifstream in(h.config_path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto at = text.find("dsn: \"");
  REQUIRE(at != std::string::npos);
  auto end = text.find('"', at + 6);
  text.replace(at + 6, end - at - 6,
               "host=127.0.0.1 port=" + std::to_string(silent.port()) + " dbname=x user=x");
  std::ofstream(h.config_path()) << text;

  auto started = Clock::now();
  RunResult r = run_binary("ccetl", {"run", "-c", h.config_path()}, {}, 90s);
  auto took = Clock::now() - started;
  INFO(r.err);
  CHECK(silent.accepted() >= 1);  // the fault fired: ccetl reached the silent host
  CHECK(r.code == 3);
  CHECK(took < 30s);
  CHECK_THAT(r.err, Catch::Contains("cannot use the warehouse") && Catch::Contains("connecting to PostgreSQL") &&
                        Catch::Contains("timeout"));
}

// Bug caught: a database that keeps its connections open but stops answering mid-run (a frozen
// host; keepalives and tcp_user_timeout see nothing wrong) hung `ccetl run` forever, waiting on
// the run's COMMIT. The run's connection and the control connection are both watched
// (src/warehouse/server_watch.h): each wait ends within ~15 s, and the run fails with why.
TEST_CASE("ccetl run: a database that freezes mid-run fails the run within a bound, saying why") {
  if (!owns_cluster()) {
    WARN("the test cluster is shared (CCETL_TEST_PG_DSN_BASE): freeze test skipped");
    return;
  }
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Slow", "resultsPerPage": 5,
                    "synthetic": {"rows": 15, "seed": 3, "fields": ["string", "integer"]}})");
  // Page 3 answers after 2 s: the run is connected and between statements when the test freezes
  // the database, and its next wait (the last COPY and the COMMIT) gets no answer.
  h.put_faults(R"({"rules": [{"kind": "latency", "path": "Slow", "page": 3, "latencyMs": 2000}]})");
  h.config(R"(  - name: slow
    source: {scope: project_feedback, project: WidgetPro, report: Slow}
    key: [ID]
)", "  max_in_flight: 1\n");
  ChildProcess p(build_binary("ccetl"), {"run", "-c", h.config_path()});
  REQUIRE(eventually([&] { return page_requested(h, 3); }));
  int frozen = freeze_cluster();
  auto since = Clock::now();
  auto code = p.wait(120s);
  auto took = Clock::now() - since;
  thaw_cluster();
  INFO(p.err());
  REQUIRE(frozen >= 2);  // the fault fired: the postmaster and the run's backends were stopped
  REQUIRE(code);         // it ended at all (the wait above gives up after two minutes)
  CHECK(*code == 1);     // a job failed (exit 3 is for a database unreachable at start)
  CHECK(took < 60s);
  std::string err = p.err();
  auto failed_line = err.find("ccetl: job 'slow' failed:");
  REQUIRE(failed_line != std::string::npos);
  CHECK_THAT(err.substr(failed_line, err.find('\n', failed_line) - failed_line),
             Catch::Contains("the database stopped answering"));
  // Nothing was committed: the table the run was creating does not exist.
  CHECK(h.count("SELECT count(*) FROM pg_class WHERE relname = 'slow'") == 0);
}
