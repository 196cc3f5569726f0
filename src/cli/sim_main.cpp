// centercode-sim: a faithful simulator of the Centercode API for tests, demos and benchmarks.
// See docs/simulator.md. Prints "listening on ADDRESS:PORT" as its first stdout line.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "core/error.h"
#include "sim/builtin_examples.h"
#include "sim/faults.h"
#include "sim/fixtures.h"
#include "sim/server.h"
#include "sim/sim_state.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ccetl::Error(ccetl::ErrorKind::Config, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"centercode-sim: a faithful simulator of the Centercode API (docs/simulator.md)"};
  ccetl::sim::SimOptions sim;
  ccetl::sim::ServerOptions server;
  std::string fixtures_dir, faults_file;
  double fault_5xx_ratio = 0;
  int fault_latency_ms = 0;
  uint64_t fault_seed = 1;
  uint64_t synthetic_rows = 0;
  bool no_examples = false;
  app.add_option("--port", server.port, "TCP port to listen on; 0 picks a free one (default 0)");
  app.add_option("--address", server.address, "Address to bind (default 127.0.0.1)");
  app.add_option("--api-key", sim.api_key, "API key bound to the built-in examples and to fixtures that name none");
  app.add_option("--fixtures", fixtures_dir, "Directory of *.json fixture files to serve")->check(CLI::ExistingDirectory);
  app.add_flag("--no-examples", no_examples, "Do not serve the reference's built-in examples");
  app.add_option("--rate-limit", sim.rate_limit, "Requests per second per endpoint per client IP; 0 disables (default 10)");
  app.add_option("--upload-dir", sim.upload_dir, "Directory for uploaded attachments (default: a new temp dir)");
  app.add_option("--max-upload-bytes", sim.max_upload_bytes, "Largest accepted upload body (default 2 GiB)");
  app.add_option("--max-body-bytes", sim.max_body_bytes, "Largest accepted non-upload body (default 64 MiB)");
  app.add_option("--tls-cert", server.tls_cert, "PEM certificate chain: serve HTTPS (needs --tls-key)");
  app.add_option("--tls-key", server.tls_key, "PEM private key for --tls-cert");
  app.add_option("--idle-timeout", server.idle_timeout_s, "Seconds a kept-alive connection may idle (default 60)");
  app.add_option("--fault-latency-ms", fault_latency_ms, "Delay every API answer by this many ms");
  app.add_option("--fault-5xx-ratio", fault_5xx_ratio, "Answer this share (0..1) of API requests with 500");
  app.add_option("--fault-seed", fault_seed, "Seed for ratio-based faults (default 1)");
  app.add_option("--faults", faults_file, "JSON file of fault rules, as for PUT /_sim/faults");
  app.add_option("--synthetic-bench", synthetic_rows,
                 "Serve N synthetic rows at /projects/Bench/feedbackDataPackages/Synthetic (seed 1, 10 fields)");
  app.add_flag("--verbose", sim.verbose, "Log each request to stderr (apiKey masked)");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // inherited by every thread below

  bool own_upload_dir = sim.upload_dir.empty();
  try {
    if (own_upload_dir) {
      sim.upload_dir = (std::filesystem::temp_directory_path() / ("centercode-sim-" + std::to_string(::getpid()))).string();
    }
    std::filesystem::create_directories(sim.upload_dir);
    ccetl::sim::SimState state(sim);
    std::vector<ccetl::sim::Endpoint> startup;
    if (!no_examples) startup = ccetl::sim::parse_fixtures(ccetl::sim::builtin_examples_json(), sim.api_key);
    if (!fixtures_dir.empty()) {
      for (auto& ep : ccetl::sim::load_fixture_dir(fixtures_dir, sim.api_key)) startup.push_back(std::move(ep));
    }
    if (synthetic_rows > 0) {
      std::string spec = "{\"path\":\"/projects/Bench/feedbackDataPackages/Synthetic\",\"synthetic\":{\"rows\":" +
                         std::to_string(synthetic_rows) + ",\"seed\":1,\"fields\":10}}";
      for (auto& ep : ccetl::sim::parse_fixtures(spec, sim.api_key)) startup.push_back(std::move(ep));
    }
    state.install_startup(std::move(startup));

    uint64_t seed = fault_seed;
    std::vector<ccetl::sim::FaultRule> rules;
    if (!faults_file.empty()) ccetl::sim::parse_fault_rules(read_file(faults_file), seed, rules);
    if (fault_latency_ms > 0) {
      ccetl::sim::FaultRule r;
      r.kind = ccetl::sim::FaultKind::Latency;
      r.latency_ms = fault_latency_ms;
      rules.push_back(r);
    }
    if (fault_5xx_ratio > 0) {
      ccetl::sim::FaultRule r;
      r.kind = ccetl::sim::FaultKind::Error;
      r.ratio = fault_5xx_ratio;
      rules.push_back(r);
    }
    state.faults().set_startup(seed, std::move(rules));

    ccetl::sim::Server srv(state, server);
    uint16_t port = srv.listen();
    std::printf("listening on %s:%u\n", server.address.c_str(), port);
    std::fflush(stdout);

    std::thread([stop_signals, own_upload_dir, dir = sim.upload_dir] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      if (own_upload_dir) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
      std::_Exit(0);
    }).detach();
    srv.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "centercode-sim: %s\n", e.what());
    return 2;
  }
  return 0;
}
