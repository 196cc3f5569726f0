// A real simulator process, a real PostgreSQL database and a config file, wired together for
// end-to-end runs of pull jobs (no mocks: HTTP over loopback sockets, libpq to the test cluster).
#pragma once

#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "api/client.h"
#include "config/config.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"
#include "support/http_test_client.h"
#include "support/pg_cluster.h"
#include "support/sim_process.h"
#include "warehouse/warehouse.h"

namespace ccetl::test {

inline const std::string kKey = "k-9e3c8a050fdb40ff9ca13ac3b1873c45";

class SyncHarness {
 public:
  explicit SyncHarness(std::vector<std::string> sim_args = {"--rate-limit", "0"})
      : sim_(with_key(std::move(sim_args))), admin_(sim_.host(), sim_.port()), dsn_(fresh_database()) {
    dir_ = std::filesystem::temp_directory_path() / ("ccetl-pipe-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
  }
  ~SyncHarness() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Creates or replaces a simulator dataset (fixture JSON, see docs/simulator.md).
  void put_dataset(const std::string& json) {
    auto r = admin_.put_json("/_sim/datasets", json);
    if (r.status != 200 && r.status != 201) throw std::runtime_error("PUT /_sim/datasets: " + std::to_string(r.status) + " " + r.body);
  }
  void put_faults(const std::string& json) {
    auto r = admin_.put_json("/_sim/faults", json);
    if (r.status != 200) throw std::runtime_error("PUT /_sim/faults: " + std::to_string(r.status) + " " + r.body);
  }

  // Writes a config whose `jobs:` section is `jobs_yaml` (indented as a YAML list) and loads it.
  // `extra_top` is appended at top level (e.g. a daemon: section).
  Config config(const std::string& jobs_yaml, const std::string& extra_centercode = "",
                const std::string& extra_top = "") {
    std::string path = (dir_ / "ccetl.yaml").string();
    std::ofstream(path) << "centercode:\n  base_url: " << sim_.base_url() << "/api/v1\n  api_key: " << kKey
                        << "\n  allow_insecure_http: true\n" << extra_centercode << "warehouse:\n  dsn: \"" << dsn_
                        << "\"\n  schema: centercode\n" << extra_top << "jobs:\n" << jobs_yaml;
    config_path_ = path;
    return load_config(path, [](const std::string&) { return std::optional<std::string>(); });
  }

  JobOutcome run(const Config& config, const std::string& job) {
    auto client = make_client(client_options_for(config.centercode));
    auto warehouse = connect_warehouse(dsn_);
    warehouse->ensure_catalog();
    RunOptions options;
    return run_pull_job(config, *config.find_job(job), *client, *warehouse, options);
  }

  pqxx::result query(const std::string& sql) {
    pqxx::connection c(dsn_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql);
  }
  int64_t count(const std::string& sql) { return query(sql)[0][0].as<int64_t>(); }

  const std::string& dsn() const { return dsn_; }
  const std::string& config_path() const { return config_path_; }
  SimProcess& sim() { return sim_; }
  HttpTestClient& admin() { return admin_; }
  std::filesystem::path dir() const { return dir_; }

 private:
  static std::vector<std::string> with_key(std::vector<std::string> args) {
    args.insert(args.begin(), {"--api-key", kKey});
    return args;
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  SimProcess sim_;
  HttpTestClient admin_;
  std::string dsn_;
  std::filesystem::path dir_;
  std::string config_path_;
};

}  // namespace ccetl::test
