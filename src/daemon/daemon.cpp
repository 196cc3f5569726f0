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

#include "push/push_job.h"
#include "daemon/http_endpoint.h"
#include "daemon/metrics.h"
#include "daemon/run_history.h"
#include <cstdlib>
#include "daemon/scheduler.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"

namespace ccetl {
namespace {

SysSeconds now_seconds() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct Daemon::Impl {
  std::string config_path;
  std::shared_ptr<const Config> config;
  std::shared_ptr<ApiClient> client;
  uint64_t client_generation = 0;  // tells metrics the clients of successive reloads apart
  std::unique_ptr<Scheduler> scheduler;
  Metrics metrics;
  std::unique_ptr<HttpEndpoint> http;
  std::atomic<int> http_port{0};

  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
  bool reload_requested = false;
  std::deque<std::pair<std::string, bool>> finished;  // job, succeeded
  std::map<std::string, std::thread> running;
  std::atomic<bool> cancel{false};
  std::atomic<bool> database_ok{false};
  std::atomic<bool> freshness_restored{false};  // ccetl.runs read into metrics once

  void notify(const std::string& state) { sd_notify(0, state.c_str()); }

  bool check_database() {
    bool ok = false;
    try {
      auto wh = connect_warehouse(config->warehouse.dsn);
      wh->ensure_catalog();
      ok = true;
    } catch (const std::exception& e) {
      spdlog::warn("database not reachable: {}", e.what());
    }
    database_ok = ok;
    metrics.set_ready(true, ok);
    if (ok && scheduler && !freshness_restored) restore_freshness();  // it was down at start
    return ok;
  }

  // Each job's last complete sync from ccetl.runs into ccetl_last_success_timestamp_seconds.
  void restore_freshness() {
    try {
      metrics.restore_last_complete(last_complete_syncs(config->warehouse.dsn));
      freshness_restored = true;
    } catch (const std::exception& e) {
      spdlog::warn("cannot read run history for ccetl_last_success_timestamp_seconds: {}", e.what());
    }
  }

  void start_scheduler() {
    std::map<std::string, SysSeconds> last;
    if (database_ok) {
      try {
        last = last_successes(config->warehouse.dsn);
      } catch (const std::exception& e) {
        spdlog::warn("cannot read run history, every scheduled job runs now: {}", e.what());
      }
    }
    // After the restore: a job's series first appear with its freshness from ccetl.runs.
    if (database_ok) restore_freshness();
    std::vector<std::string> names;
    for (const auto& job : config->jobs) names.push_back(job.name);
    metrics.add_jobs(names);
    scheduler = std::make_unique<Scheduler>(*config, now_seconds(), last);
  }

  // One run on its own thread, with its own database connection and the job's advisory lock.
  void launch(const std::string& name) {
    auto cfg = config;
    auto cl = client;
    const uint64_t generation = client_generation;
    const JobSpec* job = cfg->find_job(name);
    running[name] = std::thread([this, cfg, cl, generation, job] {
      bool ok = false;
      try {
        auto wh = connect_warehouse(cfg->warehouse.dsn);
        if (!wh->try_lock_job(job->name)) {
          spdlog::info("[{}] skipped: another process is running this job (advisory lock held)", job->name);
          metrics.record_run(job->name, "skipped", 0, {}, unix_now());
        } else {
          RunOptions options;
          options.cancel = &cancel;
          JobOutcome outcome = job->push ? run_push_job(*cfg, *job, *cl, wh.get(), options, false)
                                         : run_pull_job(*cfg, *job, *cl, *wh, options);
          wh->unlock_job(job->name);
          ok = outcome.succeeded;
          metrics.record_run(job->name, ok ? "succeeded" : "failed",
                             std::chrono::duration<double>(outcome.elapsed).count(), outcome.counts, unix_now());
        }
      } catch (const std::exception& e) {
        spdlog::error("[{}] run failed: {}", job->name, e.what());
        metrics.record_run(job->name, "failed", 0, {}, unix_now());
      }
      metrics.set_http(generation, cl->stats());
      {
        std::lock_guard lock(mu);
        finished.emplace_back(job->name, ok);
      }
      cv.notify_all();
    });
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
      scheduler->finished(name, ok);
    }
  }

  void reload() {
    notify("RELOADING=1");
    try {
      Config fresh = load_config(config_path);
      auto fresh_client = std::shared_ptr<ApiClient>(make_client(client_options_for(fresh.centercode)));
      config = std::make_shared<const Config>(std::move(fresh));
      client = std::move(fresh_client);
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
      http = std::make_unique<HttpEndpoint>(config->daemon.listen,
                                            HttpEndpointHandlers{[this] { return metrics.render(); },
                                                                 [this] { return database_ok.load(); }});
      http_port = http->port();
      spdlog::info("serving /metrics, /healthz, /readyz on port {}", http_port.load());
    }
    check_database();
    start_scheduler();
    notify("READY=1");
    spdlog::info("daemon started with {} job(s)", config->jobs.size());

    auto last_db_check = std::chrono::steady_clock::now();
    for (;;) {
      notify("WATCHDOG=1");
      reap_finished();
      bool reload_now = false;
      {
        std::lock_guard lock(mu);
        if (stop_requested) break;
        std::swap(reload_now, reload_requested);
      }
      if (reload_now) reload();
      // Readiness follows the database: re-checked every 10 s while it is down, every 60 s
      // while it is up.
      auto recheck = database_ok ? std::chrono::seconds(60) : std::chrono::seconds(10);
      if (std::chrono::steady_clock::now() - last_db_check > recheck) {
        last_db_check = std::chrono::steady_clock::now();
        check_database();
      }
      auto decision = scheduler->tick(now_seconds());
      for (const auto& job : decision.skipped)
        spdlog::warn("[{}] fire time skipped: the previous run is still going", job);
      for (const auto& job : decision.start) launch(job);
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::seconds(1), [&] { return stop_requested || reload_requested || !finished.empty(); });
    }

    notify("STOPPING=1");
    spdlog::info("stopping: waiting up to {} s for {} running job(s)", config->daemon.grace.count(), running.size());
    auto deadline = std::chrono::steady_clock::now() + config->daemon.grace;
    while (!running.empty() && std::chrono::steady_clock::now() < deadline) {
      {
        std::unique_lock lock(mu);
        cv.wait_until(lock, deadline, [&] { return !finished.empty(); });
      }
      reap_finished();
    }
    if (!running.empty()) {
      spdlog::warn("grace period over: cancelling {} running job(s); their tables stay unchanged", running.size());
      cancel = true;
      auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!running.empty() && std::chrono::steady_clock::now() < hard_deadline) {
        {
          std::unique_lock lock(mu);
          cv.wait_until(lock, hard_deadline, [&] { return !finished.empty(); });
        }
        reap_finished();
      }
      if (!running.empty()) {
        // A run is stuck in a request past its cancellation: exit now. PostgreSQL rolls back
        // the open transactions when their connections close, so the tables stay unchanged.
        spdlog::error("{} job(s) did not stop; exiting, their transactions roll back", running.size());
        spdlog::shutdown();
        std::_Exit(0);
      }
    }
    signal_io.stop();
    signal_thread.join();
    http.reset();
    spdlog::info("daemon stopped");
    return 0;
  }
};

Daemon::Daemon(std::string config_path, Config config) : impl_(std::make_unique<Impl>()) {
  impl_->config_path = std::move(config_path);
  impl_->client = std::shared_ptr<ApiClient>(make_client(client_options_for(config.centercode)));
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
