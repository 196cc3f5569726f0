#include "daemon/daemon.h"

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <cstdlib>

#include "core/cancel.h"
#include "daemon/http_endpoint.h"
#include "daemon/loop_health.h"
#include "daemon/metrics.h"
#include "daemon/run_history.h"
#include "daemon/scheduler.h"
#include "daemon/status_site.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"
#include "push/push_job.h"
#include "warehouse/connection_defaults.h"

namespace ccetl {
namespace {

SysSeconds now_seconds() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The loop wakes at least every second; a loop that has not ticked for this long is stuck, and
// /healthz says so (systemd's watchdog, fed by the same loop, restarts it).
constexpr auto kStuckAfter = std::chrono::seconds(30);
// Health checks: how often, and how long one may take to connect.
constexpr auto kCheckWhileUp = std::chrono::seconds(10);
constexpr auto kCheckWhileDown = std::chrono::seconds(3);
constexpr int kCheckConnectTimeoutSeconds = 5;
// After daemon.grace and cancellation, how long runs get to roll back and record themselves.
constexpr auto kCancelBound = std::chrono::seconds(10);

ClientOptions client_options_with(const Config& config, const CancelToken* stop) {
  ClientOptions o = client_options_for(config.centercode);
  o.cancel = stop;
  return o;
}

}  // namespace

struct Daemon::Impl {
  std::string config_path;
  std::shared_ptr<const Config> config;
  std::shared_ptr<ApiClient> client;
  uint64_t client_generation = 0;  // tells metrics the clients of successive reloads apart
  std::unique_ptr<Scheduler> scheduler;
  Metrics metrics;
  StatusBoard status_board;  // what the status pages read; see daemon/status_site.h
  StatusSite status_site{status_board};
  std::unique_ptr<HttpEndpoint> http;
  std::atomic<int> http_port{0};
  // Cancels the runs (after daemon.grace): requests, waits and database statements end at once.
  CancelToken stop_runs;

  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
  bool reload_requested = false;
  std::deque<std::pair<std::string, bool>> finished;  // job, succeeded
  std::map<std::string, std::thread> running;
  std::atomic<bool> database_ok{false};
  // Each job's last success: read from ccetl.runs at start, then kept here (reloads need no
  // database).
  std::map<std::string, SysSeconds> last_success;
  // The loop's last tick, for /healthz.
  LoopHealth loop_health{kStuckAfter};

  // The health checker: its own thread and connections, so the loop never waits on the database.
  std::thread health_thread;
  std::mutex health_mu;
  std::condition_variable health_cv;
  bool health_stop = false;
  bool catalog_due = true;  // create/upgrade the catalog at the next check (start, reload)
  std::string health_dsn;
  bool down_reported = false;  // check_database_once only (start-up, then the health thread)
  std::atomic<bool> freshness_restored{false};  // ccetl.runs read into metrics once

  void notify(const std::string& state) { sd_notify(0, state.c_str()); }

  // One check: the catalog DDL when due (start, reload), else SELECT 1. Connects afresh each
  // time with a short connect_timeout, so a silent database delays only this thread.
  void check_database_once(bool with_catalog) {
    std::string dsn;
    {
      std::lock_guard lock(health_mu);
      dsn = health_dsn;
    }
    bool ok = false;
    try {
      auto wh = connect_warehouse(dsn + " connect_timeout=" + std::to_string(kCheckConnectTimeoutSeconds));
      if (with_catalog) {
        wh->ensure_catalog();
        std::lock_guard lock(health_mu);
        catalog_due = false;
      } else {
        wh->ping();
      }
      ok = true;
    } catch (const std::exception& e) {
      // Once per outage, not at every check.
      if (!down_reported) spdlog::warn("database not reachable (/readyz answers 503 until it is): {}", e.what());
      down_reported = true;
    }
    if (ok && down_reported) spdlog::info("database reachable again");
    if (ok) down_reported = false;
    database_ok = ok;
    metrics.set_ready(true, ok);
    // Once per connection to the database (start-up, or when it first comes back): each job's last
    // complete sync from ccetl.runs into ccetl_last_success_timestamp_seconds.
    if (ok && !freshness_restored) restore_freshness(dsn);
  }

  void restore_freshness(const std::string& dsn) {
    try {
      metrics.restore_last_complete(last_complete_syncs(dsn));
      freshness_restored = true;
    } catch (const std::exception& e) {
      spdlog::warn("cannot read run history for ccetl_last_success_timestamp_seconds: {}", e.what());
    }
  }

  void health_loop() {
    std::unique_lock lock(health_mu);
    while (!health_stop) {
      bool with_catalog = catalog_due;
      lock.unlock();
      check_database_once(with_catalog);
      lock.lock();
      health_cv.wait_for(lock, database_ok ? kCheckWhileUp : kCheckWhileDown,
                         [&] { return health_stop || catalog_due != with_catalog; });
    }
  }

  // Readiness follows the database from now on; the catalog is checked again at once.
  void recheck_catalog(const std::string& dsn) {
    {
      std::lock_guard lock(health_mu);
      health_dsn = dsn;
      catalog_due = true;
    }
    health_cv.notify_all();
  }

  // Start-up, before READY=1: the catalog once, and the run history for catch-up.
  void initial_database_check() {
    {
      std::lock_guard lock(health_mu);
      health_dsn = config->warehouse.dsn;
    }
    check_database_once(true);
    if (!database_ok) return;
    try {
      last_success = last_successes(config->warehouse.dsn);
    } catch (const std::exception& e) {
      spdlog::warn("cannot read run history, every scheduled job runs now: {}", e.what());
    }
  }

  // The loop (or the stop sequence) is alive: /healthz and the systemd watchdog.
  void still_alive() {
    loop_health.tick(std::chrono::steady_clock::now());
    notify("WATCHDOG=1");
  }

  void start_scheduler() {
    std::vector<std::string> names;
    for (const auto& job : config->jobs) names.push_back(job.name);
    metrics.add_jobs(names);
    scheduler = std::make_unique<Scheduler>(*config, now_seconds(), last_success);
  }

  // One run on its own thread, with its own database connection and the job's advisory lock.
  void launch(const std::string& name) {
    auto cfg = config;
    auto cl = client;
    const uint64_t generation = client_generation;
    const JobSpec* job = cfg->find_job(name);
    running[name] = std::thread([this, cfg, cl, generation, job] {
      bool ok = false;
      if (stop_runs.cancelled()) {
        {
          std::lock_guard lock(mu);
          finished.emplace_back(job->name, false);
        }
        cv.notify_all();
        return;
      }
      try {
        auto wh = connect_warehouse(cfg->warehouse.dsn);
        if (!wh->try_lock_job(job->name)) {
          spdlog::info("[{}] skipped: another process is running this job (advisory lock held)", job->name);
          metrics.set_http(generation, cl->stats());
          metrics.record_run(job->name, "skipped", 0, {}, unix_now());
        } else {
          RunOptions options;
          options.cancel = &stop_runs.flag();
          options.stop = &stop_runs;
          JobOutcome outcome = job->push ? run_push_job(*cfg, *job, *cl, wh.get(), options, false)
                                         : run_pull_job(*cfg, *job, *cl, *wh, options);
          wh->unlock_job(job->name);
          ok = outcome.succeeded;
          // HTTP counts first: whoever sees this run counted sees its requests counted too.
          metrics.set_http(generation, cl->stats());
          metrics.record_run(job->name, ok ? "succeeded" : "failed",
                             std::chrono::duration<double>(outcome.elapsed).count(), outcome.counts, unix_now());
        }
      } catch (const std::exception& e) {
        spdlog::error("[{}] run failed: {}", job->name, e.what());
        metrics.set_http(generation, cl->stats());
        metrics.record_run(job->name, "failed", 0, {}, unix_now());
      }
      {
        std::lock_guard lock(mu);
        finished.emplace_back(job->name, ok);
      }
      cv.notify_all();
    });
  }

  // For the status pages (read on the HTTP page thread): the configuration and next fire times.
  void publish_status() {
    std::map<std::string, int64_t> next;
    for (const auto& [job, at] : scheduler->next_fires()) next[job] = at.time_since_epoch().count();
    status_board.publish(config, std::move(next));
  }

  void reap_finished() {
    std::deque<std::pair<std::string, bool>> done;
    {
      std::lock_guard lock(mu);
      done.swap(finished);
    }
    for (auto& [name, ok] : done) {
      if (auto it = running.find(name); it != running.end()) {
        it->second.join();
        running.erase(it);
      }
      if (ok) last_success[name] = now_seconds();
      scheduler->finished(name, ok);
    }
  }

  void reload() {
    notify("RELOADING=1");
    try {
      Config fresh = load_config(config_path);
      fresh.warehouse.dsn = warehouse::with_connection_defaults(fresh.warehouse.dsn, fresh.warehouse.statement_timeout);
      auto fresh_client = std::shared_ptr<ApiClient>(make_client(client_options_with(fresh, &stop_runs)));
      config = std::make_shared<const Config>(std::move(fresh));
      client = std::move(fresh_client);
      recheck_catalog(config->warehouse.dsn);
      ++client_generation;
      start_scheduler();
      // Jobs still running keep their slot (and their no-overlap rule) in the new scheduler.
      for (const auto& entry : running) scheduler->mark_running(entry.first);
      spdlog::info("configuration reloaded from {}: {} job(s)", config_path, config->jobs.size());
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems()) spdlog::error("reload refused: {}", p.to_string());
      spdlog::error("reload refused: {} problem(s); keeping the running configuration", e.problems().size());
    } catch (const std::exception& e) {
      spdlog::error("reload refused: {}; keeping the running configuration", e.what());
    }
    notify("READY=1");
  }

  int run() {
    boost::asio::io_context signal_io;
    boost::asio::signal_set signals(signal_io, SIGTERM, SIGINT, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        std::lock_guard lock(mu);
        reload_requested = true;
      } else {
        std::lock_guard lock(mu);
        stop_requested = true;
      }
      cv.notify_all();
      signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    std::thread signal_thread([&] { signal_io.run(); });

    if (!config->daemon.listen.empty()) {
      status_board.publish(config, {});
      http = std::make_unique<HttpEndpoint>(
          config->daemon.listen,
          HttpEndpointHandlers{[this] { return metrics.render(); }, [this] { return database_ok.load(); },
                               [this](const std::string& path) { return status_site.get(path); },
                               [this] { return loop_health.report(std::chrono::steady_clock::now()); }});
      http_port = http->port();
      spdlog::info("serving /metrics, /healthz, /readyz on port {}", http_port.load());
    }
    initial_database_check();
    start_scheduler();
    health_thread = std::thread([this] { health_loop(); });
    notify("READY=1");
    spdlog::info("daemon started with {} job(s)", config->jobs.size());

    // The loop never waits on the database or the network: health checks run on their own
    // thread, runs on theirs, and a reload reads only the file.
    for (;;) {
      still_alive();
      reap_finished();
      bool reload_now = false;
      {
        std::lock_guard lock(mu);
        if (stop_requested) break;
        std::swap(reload_now, reload_requested);
      }
      if (reload_now) reload();
      auto decision = scheduler->tick(now_seconds());
      for (const auto& job : decision.skipped)
        spdlog::warn("[{}] fire time skipped: the previous run is still going", job);
      for (const auto& job : decision.start) launch(job);
      publish_status();
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::seconds(1), [&] { return stop_requested || reload_requested || !finished.empty(); });
    }

    notify("STOPPING=1");
    spdlog::info("stopping: waiting up to {} s for {} running job(s)", config->daemon.grace.count(), running.size());
    auto deadline = std::chrono::steady_clock::now() + config->daemon.grace;
    while (!running.empty() && std::chrono::steady_clock::now() < deadline) {
      {
        std::unique_lock lock(mu);
        cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)),
                      [&] { return !finished.empty(); });
      }
      still_alive();
      reap_finished();
    }
    if (!running.empty()) {
      spdlog::warn("grace period over: cancelling {} running job(s); their tables stay unchanged", running.size());
      stop_runs.cancel();
      auto hard_deadline = std::chrono::steady_clock::now() + kCancelBound;
      while (!running.empty() && std::chrono::steady_clock::now() < hard_deadline) {
        {
          std::unique_lock lock(mu);
          cv.wait_until(lock, std::min(hard_deadline, std::chrono::steady_clock::now() + std::chrono::seconds(1)),
                        [&] { return !finished.empty(); });
        }
        still_alive();
        reap_finished();
      }
      if (!running.empty()) {
        // Not a normal shutdown: every wait of a run is bounded and cancellable, so this means
        // a bug. Exit anyway (a stop must end); PostgreSQL rolls back the open transactions when
        // their connections close, so the tables stay unchanged.
        spdlog::critical("{} job(s) did not stop within {} s of cancellation; exiting without them (a bug: "
                         "please report it)",
                         running.size(), kCancelBound.count());
        spdlog::shutdown();
        std::_Exit(1);
      }
    }
    stop_runs.cancel();
    {
      std::lock_guard lock(health_mu);
      health_stop = true;
    }
    health_cv.notify_all();
    health_thread.join();
    signal_io.stop();
    signal_thread.join();
    http.reset();
    spdlog::info("daemon stopped");
    return 0;
  }
};

Daemon::Daemon(std::string config_path, Config config) : impl_(std::make_unique<Impl>()) {
  impl_->config_path = std::move(config_path);
  impl_->client = std::shared_ptr<ApiClient>(make_client(client_options_with(config, &impl_->stop_runs)));
  impl_->config = std::make_shared<const Config>(std::move(config));
  impl_->metrics.set_ready(true, false);
}

Daemon::~Daemon() = default;

int Daemon::run() { return impl_->run(); }

void Daemon::request_stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop_requested = true;
  }
  impl_->cv.notify_all();
}

void Daemon::request_reload() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->reload_requested = true;
  }
  impl_->cv.notify_all();
}

int Daemon::http_port() const { return impl_->http_port.load(); }

}  // namespace ccetl
