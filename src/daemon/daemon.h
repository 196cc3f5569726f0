// `ccetl daemon`: runs scheduled jobs until told to stop.
//
// Lifecycle: SIGTERM/SIGINT stop starting jobs, let running ones finish within daemon.grace,
// then cancel them: requests in flight are aborted, database statements cancelled, transactions
// rolled back (tables unchanged) and the runs recorded as failed, "cancelled"; then return 0.
// SIGHUP reloads the configuration; an invalid file keeps the running one and logs every
// problem. A database or API outage fails the affected runs; the daemon stays up and retries at
// the next tick. With systemd (Type=notify) it reports readiness, reloads, stopping and the
// watchdog.
//
// The scheduler loop never blocks on I/O: it ticks at least every second (WATCHDOG=1 and
// /healthz follow its last tick). The database is checked on a thread of its own (SELECT 1
// every 10 s, every 3 s while down; /readyz is 503 while it fails); the catalog DDL runs once at
// start and once after each reload, not on every check.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"

namespace ccetl {

class Daemon {
 public:
  Daemon(std::string config_path, Config config);
  ~Daemon();
  // Blocks until stopped; returns the process exit code.
  int run();
  // Thread-safe; what SIGTERM and SIGHUP do.
  void request_stop();
  void request_reload();
  // The port /metrics listens on (after run() has started it), 0 when not listening.
  int http_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccetl
