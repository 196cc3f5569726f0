// The daemon as systemd and an SRE see it: sd_notify messages, a reload that takes effect, a
// loop that never stalls on the database, readiness that follows the database, and a stop that
// aborts hung requests and records the runs it cancels.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "support/child_process.h"
#include "support/eventually.h"
#include "support/pg_cluster.h"
#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* kDaemonSection = "daemon:\n  listen: 127.0.0.1:0\n  grace: 1s\n";

const char* kScoresJob = R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    schedule: "0 3 * * *"
)";

// A datagram socket at a temp path, as systemd's NOTIFY_SOCKET: collects every message.
class NotifySocket {
 public:
  NotifySocket() {
    path_ = "/tmp/ccetl-notify-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_);
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      char buf[4096];
      while (!stop_) {
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        std::lock_guard lock(mu_);
        messages_.emplace_back(buf, static_cast<size_t>(n));
      }
    });
  }
  ~NotifySocket() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  // Index of the first message at or after `from` that contains `text`, or -1.
  int find(const std::string& text, int from = 0) const {
    auto all = messages();
    for (int i = from; i < static_cast<int>(all.size()); ++i)
      if (all[i].find(text) != std::string::npos) return i;
    return -1;
  }

 private:
  static inline int counter_ = 0;
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
  std::thread thread_;
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + " | ";
  return out;
}

}  // namespace

TEST_CASE("daemon: sd_notify READY, WATCHDOG, RELOADING and STOPPING reach NOTIFY_SOCKET in order") {
  SyncHarness h;
  h.config(kScoresJob, "", kDaemonSection);
  NotifySocket notify;
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()}, {{"NOTIFY_SOCKET", notify.path()}});
  REQUIRE(eventually([&] { return notify.find("READY=1") >= 0; }));
  int ready = notify.find("READY=1");
  // The loop feeds the watchdog at every tick (at least once a second).
  REQUIRE(eventually([&] { return notify.find("WATCHDOG=1", ready) >= 0; }));
  REQUIRE(eventually([&] {
    int w1 = notify.find("WATCHDOG=1", ready);
    return w1 >= 0 && notify.find("WATCHDOG=1", w1 + 1) >= 0;
  }));
  d.signal(SIGHUP);
  REQUIRE(eventually([&] { return notify.find("RELOADING=1", ready) >= 0; }));
  int reloading = notify.find("RELOADING=1", ready);
  REQUIRE(eventually([&] { return notify.find("READY=1", reloading) >= 0; }));  // ready again after it
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
  INFO(joined(notify.messages()));
  int stopping = notify.find("STOPPING=1", reloading);
  CHECK(stopping > reloading);
  CHECK(notify.find("READY=1", stopping) == -1);
}

TEST_CASE("daemon: a valid SIGHUP reload takes effect: a new job runs and appears in /metrics") {
  SyncHarness h;
  h.config(kScoresJob, "", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  REQUIRE(eventually([&] { return http.get("/metrics").body.find("\"feedback_scores\"") != std::string::npos; }));
  CHECK(http.get("/metrics").body.find("\"extra_scores\"") == std::string::npos);

  std::ofstream(h.config_path(), std::ios::app) << R"(  - name: extra_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    table: extra_scores
    schedule: "0 4 * * *"
)";
  d.signal(SIGHUP);
  REQUIRE(eventually([&] { return d.err().find("configuration reloaded") != std::string::npos; }));
  CHECK_THAT(d.err(), Catch::Contains("2 job(s)"));
  // Never run before: due at once under the new configuration, also while feedback_scores's
  // first run (into the same new schema) may still be on.
  CHECK(eventually([&] { return http.get("/metrics").body.find("\"extra_scores\"") != std::string::npos; }));
  if (!eventually([&] { return h.count("SELECT count(*) FROM centercode.extra_scores") == 5; }, 60s))
    FAIL_CHECK("extra_scores was not loaded; the daemon's log:\n" << d.err());  // the log as of now
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
}

TEST_CASE("daemon: /readyz is 503 while the database is stopped and 200 again after; /healthz stays 200") {
  if (!owns_cluster()) {
    WARN("the test cluster is shared (CCETL_TEST_PG_DSN_BASE): outage test skipped");
    return;
  }
  SyncHarness h;
  h.config(kScoresJob, "", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") == 1; }));
  REQUIRE(eventually([&] { return http.get("/readyz").status == 200; }));

  stop_cluster();
  bool unready = eventually([&] { return http.get("/readyz").status == 503; }, 40s);
  auto health = http.get("/healthz");
  start_cluster();
  INFO(d.err());
  CHECK(unready);
  CHECK(health.status == 200);
  CHECK_THAT(health.body, Catch::Contains("scheduler loop last ticked"));
  CHECK(eventually([&] { return http.get("/readyz").status == 200; }, 40s));
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
}

TEST_CASE("daemon: a silent database never stalls the scheduler loop; /healthz reports fresh ticks") {
  // A database host that accepts connections and never answers: every check hangs until its
  // connect_timeout. Checks on the loop's thread would stall the loop (and the watchdog) that long.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 64) == 0);  // the kernel completes connects; nobody ever accepts or answers
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  SyncHarness h;
  h.config(kScoresJob, "", kDaemonSection);
  std::string text;
  {
    std::ifstream in(h.config_path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto at = text.find("dsn: \"");
  auto end = text.find('"', at + 6);
  text.replace(at + 6, end - at - 6, "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) + " dbname=x user=x");
  std::ofstream(h.config_path()) << text;

  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  REQUIRE(eventually([&] { return http.get("/healthz").body.find("ticked") != std::string::npos; }, 60s));
  // For 12 s (several health checks and a failing run), the loop keeps ticking every second.
  std::regex ago("ticked ([0-9]+) s ago");
  int worst = 0;
  for (auto until = Clock::now() + 12s; Clock::now() < until;) {
    auto r = http.get("/healthz");
    std::smatch m;
    REQUIRE(std::regex_search(r.body, m, ago));
    CHECK(r.status == 200);
    worst = std::max(worst, std::stoi(m[1]));
    CHECK(http.get("/readyz").status == 503);
    std::this_thread::sleep_for(500ms);
  }
  INFO(d.err());
  CHECK(worst <= 3);
  d.signal(SIGTERM);
  CHECK(d.wait(30s) == 0);
  ::close(fd);
}

TEST_CASE("daemon: SIGTERM after grace aborts a hung request, records the run as cancelled, exits 0") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Hang", "resultsPerPage": 5,
                    "synthetic": {"rows": 100, "seed": 3, "fields": ["string", "integer"]}})");
  h.put_faults(R"({"rules": [{"kind": "hang", "path": "Hang", "page": 3}]})");
  h.config(R"(  - name: hang
    source: {scope: project_feedback, project: WidgetPro, report: Hang}
    key: [ID]
    interval: 1h
)", "  max_in_flight: 1\n  request_timeout: 10m\n", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  REQUIRE(eventually([&] { return h.admin().get("/_sim/requests").body.find("page=3") != std::string::npos; }));
  std::this_thread::sleep_for(300ms);
  auto signalled = Clock::now();
  d.signal(SIGTERM);
  auto code = d.wait(30s);
  auto took = Clock::now() - signalled;
  INFO(d.err());
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(took < 1s + 8s);  // grace (1 s), then the cancelled run ends within a few seconds
  CHECK_THAT(d.err(), Catch::Contains("cancelling 1 running job"));
  CHECK(d.err().find("did not stop") == std::string::npos);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'running'") == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE job = 'hang' AND status = 'failed' AND "
                "error LIKE '%cancelled%'") == 1);
  CHECK(h.count("SELECT count(*) FROM pg_class WHERE relname = 'hang'") == 0);
}

// Bug caught: the health check re-ran the whole catalog DDL at every check (every 10 s), which
// needs table ownership and takes locks on ccetl's tables. The test holds the catalog's advisory
// lock (the DDL's first step): a check that ran the DDL would wait on it, visible in pg_locks.
// A reload must run it again: that proves the observable works.
TEST_CASE("daemon: the catalog DDL runs at start and on reload, not at every health check") {
  SyncHarness h;
  h.config(kScoresJob, "", kDaemonSection);
  ChildProcess d(build_binary("ccetl"), {"daemon", "-c", h.config_path()});
  HttpTestClient http = daemon_http(d);
  REQUIRE(eventually([&] { return h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") == 1; }));

  pqxx::connection holder(h.dsn());
  pqxx::nontransaction lock_tx(holder);
  lock_tx.exec("SELECT pg_advisory_lock(" + std::to_string(0x63636574'6c636174LL) + ")");  // kCatalogLockKey
  auto waiting = [&] {
    return h.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
  };
  // Two health checks at least (kCheckWhileUp is 10 s): none waits for the catalog lock.
  int64_t waited = 0;
  for (auto until = Clock::now() + 22s; Clock::now() < until;) {
    waited = std::max(waited, waiting());
    std::this_thread::sleep_for(200ms);
  }
  CHECK(waited == 0);
  CHECK(http.get("/readyz").status == 200);

  d.signal(SIGHUP);  // a reload re-checks the catalog: now a check does wait for the lock
  CHECK(eventually([&] { return waiting() >= 1; }));
  lock_tx.exec("SELECT pg_advisory_unlock_all()");
  INFO(d.err());
  CHECK(eventually([&] { return waiting() == 0; }));
  d.signal(SIGTERM);
  CHECK(d.wait(20s) == 0);
}
