// A running `ccetl daemon` (child process) with three jobs for the status page tests:
//   feedback_scores  pull, cron: runs at start (catch-up) and succeeds with 5 rows
//   broken_push      push, cron: runs at start and fails; its SQL names a relation whose name
//                    holds markup, so the recorded error contains `<script>` and `&`
//   waiting_job      pull, no schedule: never runs
// The constructor returns once both runs are recorded in ccetl.runs.
#pragma once

#include <csignal>
#include <functional>
#include <memory>
#include <regex>
#include <thread>

#include "support/child_process.h"
#include "support/eventually.h"
#include "support/sync_harness.h"

namespace ccetl::test {

inline const char* kStatusJobs = R"yaml(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
    schedule: "0 3 * * *"
  - name: broken_push
    push:
      target: {scope: project_user, project: WidgetPro, data_listener: Performance}
      sql: 'SELECT 1 AS find FROM "<script>alert(1)</script> & co"'
      key: [find]
      body: {performance: find}
    schedule: "0 3 * * *"
  - name: waiting_job
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
)yaml";

class StatusDaemon {
 public:
  StatusDaemon() {
    h_.config(kStatusJobs, "", "daemon:\n  listen: 127.0.0.1:0\n  grace: 1s\n");
    d_ = std::make_unique<ChildProcess>(build_binary("ccetl"), std::vector<std::string>{"daemon", "-c", h_.config_path()});
    port_ = daemon_port(*d_, std::chrono::seconds(20));
    if (port_ <= 0) throw std::runtime_error("daemon did not start listening: " + d_->err());
    bool recorded = eventually([&] {
      return h_.count("SELECT count(*) FROM ccetl.runs WHERE job = 'feedback_scores' AND status = 'succeeded'") == 1 &&
             h_.count("SELECT count(*) FROM ccetl.runs WHERE job = 'broken_push' AND status = 'failed'") == 1;
    }, std::chrono::seconds(60));
    if (!recorded) throw std::runtime_error("the daemon's first runs were not recorded: " + d_->err());
  }
  ~StatusDaemon() {
    d_->signal(SIGTERM);
    d_->wait(std::chrono::seconds(20));
  }

  HttpTestClient http() const { return HttpTestClient("127.0.0.1", static_cast<uint16_t>(port_)); }
  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  SyncHarness& harness() { return h_; }
  ChildProcess& process() { return *d_; }

 private:
  SyncHarness h_;
  std::unique_ptr<ChildProcess> d_;
  int port_ = 0;
};

}  // namespace ccetl::test
