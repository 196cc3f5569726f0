// Polling helpers for tests of processes that act on their own time (the daemon, `ccetl run`).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/child_process.h"
#include "support/http_test_client.h"

namespace ccetl::test {

// True as soon as `cond()` is; false after `timeout`. An exception from `cond` counts as "not
// yet" (e.g. ccetl.runs does not exist yet, the endpoint is not up yet).
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (cond()) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The port of a daemon started with `daemon.listen: 127.0.0.1:0`, from its log line "serving
// /metrics, /healthz, /readyz on port N"; 0 when it did not say so within `timeout`.
inline int daemon_port(ChildProcess& daemon, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  static const std::regex re("serving [^\\n]* on port ([0-9]+)");
  int port = 0;
  eventually(
      [&] {
        std::smatch m;
        const std::string err = daemon.err();
        if (std::regex_search(err, m, re)) port = std::stoi(m[1]);
        return port > 0;
      },
      timeout);
  return port;
}

// A client of a daemon's HTTP endpoint once it listens (see daemon_port); the test fails here
// when it never says it does.
inline HttpTestClient daemon_http(ChildProcess& daemon) {
  const int port = daemon_port(daemon);
  INFO(daemon.err());
  REQUIRE(port > 0);
  return HttpTestClient("127.0.0.1", static_cast<uint16_t>(port));
}

}  // namespace ccetl::test
