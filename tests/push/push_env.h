// A push-test environment: the real simulator (built-in reference examples, key "KEY", rate
// limit off, 50 + 50 ms queued operations), a fresh database with ccetl's catalog, and helpers
// to run a push job and read what the simulator received.
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "api/client.h"
#include "config/config.h"
#include "push/push_job.h"
#include "support/http_test_client.h"
#include "support/pg_cluster.h"
#include "support/sim_process.h"
#include "warehouse/warehouse.h"

namespace ccetl::test {

inline constexpr const char* kPushKey = "k3y-S3CRET-4242";

// One request the simulator recorded.
struct SimRequest {
  std::string method;
  std::string path;   // e.g. /api/v1/userImports/Mobile
  std::string query;  // apiKey masked
  std::string body;   // minified JSON, or the raw text of a non-JSON body
  int status = 0;
  std::vector<std::pair<std::string, uint64_t>> files;  // name, size
};

class PushEnv {
 public:
  explicit PushEnv(std::vector<std::string> extra_sim_args = {})
      : sim_(args(std::move(extra_sim_args))), dsn_(fresh_database()) {
    config_.path = "test.yaml";
    config_.centercode.base_url = sim_.base_url() + "/api/v1";
    config_.centercode.allow_insecure_http = true;
    config_.centercode.api_key = kPushKey;
    config_.warehouse.dsn = dsn_;
    client_options_.base_url = config_.centercode.base_url;
    client_options_.allow_insecure_http = true;
    client_options_.rate_limit = 1000;
    client_options_.max_attempts = 2;
    client_options_.backoff_base = std::chrono::milliseconds(10);
    client_ = make_client(client_options_);
    warehouse_ = connect_warehouse(dsn_);
    warehouse_->ensure_catalog();
    tuning_.poll.first_delay = std::chrono::milliseconds(20);
    tuning_.poll.max_delay = std::chrono::milliseconds(100);
    tuning_.poll.timeout = std::chrono::milliseconds(5000);
  }

  const std::string& dsn() const { return dsn_; }
  // Replaces the client with one built from the adjusted options (timeouts, attempts).
  void set_client(const std::function<void(ClientOptions&)>& adjust) {
    adjust(client_options_);
    client_ = make_client(client_options_);
  }
  // PUT /_sim/faults; `rules` is the JSON array of rules.
  void put_faults(const std::string& rules) {
    HttpTestClient http(sim_.host(), sim_.port());
    auto r = http.put_json("/_sim/faults", R"({"seed": 1, "rules": )" + rules + "}");
    if (r.status != 200) throw std::runtime_error("PUT /_sim/faults: " + std::to_string(r.status) + " " + r.body);
  }
  Config& config() { return config_; }
  PushTuning& tuning() { return tuning_; }
  ApiClient& client() { return *client_; }
  SimProcess& sim() { return sim_; }

  void exec(const std::string& sql) {
    pqxx::connection conn(dsn_);
    pqxx::work tx(conn);
    tx.exec(sql);
    tx.commit();
  }
  pqxx::result query(const std::string& sql) {
    pqxx::connection conn(dsn_);
    pqxx::read_transaction tx(conn);
    return tx.exec(sql);
  }

  // A push job named `name` with the given target; key defaults to [k].
  JobSpec job(const std::string& name, PushTargetKind kind, Scope scope, const std::string& project,
              const std::string& target_key, const std::string& sql, std::vector<std::string> key = {"k"}) {
    JobSpec j;
    j.name = name;
    j.api_key = kPushKey;
    PushSpec p;
    p.kind = kind;
    p.scope = scope;
    p.project = project;
    p.target_key = target_key;
    p.sql = sql;
    p.key = std::move(key);
    j.push = p;
    return j;
  }

  JobOutcome run(const JobSpec& job, bool dry_run = false) {
    RunOptions options;
    return run(job, options, dry_run);
  }
  JobOutcome run(const JobSpec& job, const RunOptions& options, bool dry_run = false) {
    return run_push_job(config_, job, *client_, dry_run ? nullptr : warehouse_.get(), options, dry_run, tuning_);
  }

  // The API requests (not /_sim) the simulator recorded, oldest first; `method` filters.
  std::vector<SimRequest> requests(const std::string& method = "") {
    HttpTestClient http(sim_.host(), sim_.port());
    auto r = http.get("/_sim/requests");
    std::vector<SimRequest> out;
    simdjson::dom::parser parser;
    simdjson::dom::array entries = parser.parse(r.body);
    for (simdjson::dom::element e : entries) {
      SimRequest req;
      req.method = std::string(std::string_view(e["method"]));
      req.path = std::string(std::string_view(e["path"]));
      if (req.path.rfind("/_sim", 0) == 0) continue;
      if (!method.empty() && req.method != method) continue;
      req.query = std::string(std::string_view(e["query"]));
      simdjson::dom::element body;
      if (e["body"].get(body) == simdjson::SUCCESS) req.body = simdjson::minify(body);
      std::string_view text;
      if (e["bodyText"].get(text) == simdjson::SUCCESS) req.body = std::string(text);
      req.status = static_cast<int>(int64_t(e["status"]));
      simdjson::dom::array files;
      if (e["files"].get(files) == simdjson::SUCCESS)
        for (simdjson::dom::element f : files)
          req.files.emplace_back(std::string(std::string_view(f["fileName"])), uint64_t(f["size"]));
      out.push_back(std::move(req));
    }
    return out;
  }
  void clear_requests() {
    HttpTestClient http(sim_.host(), sim_.port());
    http.request("POST", "/_sim/reset");
  }

  // The ledger row of `job` and `row_key`: state, http_status, error, attempts, created_key.
  pqxx::result ledger(const std::string& job) {
    return query("SELECT row_key, state, coalesce(http_status, 0), coalesce(error, ''), attempts, "
                 "coalesce(created_key, ''), coalesce(final_status, ''), coalesce(status_endpoint, ''), payload_hash "
                 "FROM ccetl.push_log WHERE job = " + pqxx::connection(dsn_).quote(job) + " ORDER BY row_key");
  }

 private:
  static std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a{"--api-key", kPushKey, "--rate-limit", "0"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  SimProcess sim_;
  std::string dsn_;
  Config config_;
  ClientOptions client_options_;
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<Warehouse> warehouse_;
  PushTuning tuning_;
};

}  // namespace ccetl::test
