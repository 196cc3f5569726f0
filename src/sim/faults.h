// Fault injection, set per run from flags and replaced at runtime by PUT /_sim/faults.
// Rules match /api/v1 requests by path substring and page; `times` bounds how often a
// transport fault fires (-1 = always); `ratio` fires it on that share of matching requests,
// drawn from a generator seeded with `seed`, so a given request sequence always gets the same
// faults. Schema/row faults ("field_*", "rows_*") apply from `page` on (page >= N) to every
// matching data-package page and are not counted.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ccetl::sim {

enum class FaultKind {
  Latency,      // delay the answer by latencyMs
  Error,        // answer `status` (default 500) with the standard error body
  RateLimit,    // answer 429 as if the limit were hit
  Reset,        // send headers and half the body, then reset the connection (RST)
  Truncate,     // declare the full Content-Length, send half the body, then close
  Malformed,    // send a body that is not valid JSON (correct Content-Length)
  Hang,         // handle the request, then hold the connection without answering
  Close,        // handle the request, then close the connection without sending a byte
  FieldAdd,     // from page N: append a field `name` of `type` (empty cells)
  FieldRename,  // from page N: rename field `field` to `name`
  FieldRetype,  // from page N: field `field` gets dataType `type`
  RowsInsert,   // from page N: `count` rows appear before the current position (repeats rows)
  RowsDelete,   // from page N: `count` rows vanish before the current position (skips rows)
};

struct FaultRule {
  FaultKind kind = FaultKind::Error;
  std::string path;  // substring of the request path; empty matches all
  int page = 0;      // 0 = any page
  int times = -1;
  int skip = 0;  // let this many matching requests through before the rule starts to fire
  double ratio = 1.0;
  int latency_ms = 0;
  int status = 500;
  int field = 1;
  std::string name;
  std::string type = "string";
  int count = 1;
  // rows_*: the paging keeps announcing the package's size before the shift (a server that
  // caches its totals), so only the rows themselves move.
  bool stale_totals = false;
  // error / rate_limit: handle the request first (a creation takes effect), then answer the
  // fault's status instead of the real answer. Without it they answer before handling.
  bool after = false;
};

// What to do to one request.
struct FaultActions {
  int latency_ms = 0;
  int status = 0;  // 0 = none; 429 for RateLimit
  bool reset = false;
  bool truncate = false;
  bool malformed = false;
  bool hang = false;
  bool close = false;
  bool status_after = false;  // `status` replaces the answer after the request was handled
  std::vector<FaultRule> drift;  // field_* rules in order
  int64_t row_shift = 0;         // + inserted, - deleted
  bool stale_totals = false;     // paging reports the totals without row_shift
};

class FaultInjector {
 public:
  // Rules given on the command line; clear() returns to them.
  void set_startup(uint64_t seed, std::vector<FaultRule> rules);
  void set(uint64_t seed, std::vector<FaultRule> rules);
  void add(FaultRule rule);
  void clear();
  // `page` is the request's page (data packages default to 1; 0 when not applicable).
  FaultActions decide(std::string_view path, int page);
  size_t rule_count() const;

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
  std::vector<FaultRule> startup_rules_;
  uint64_t seed_ = 1;
  uint64_t startup_seed_ = 1;
  std::mt19937_64 rng_{1};
};

// Parses {"seed": S, "rules": [{"kind": "error", ...}, ...]} (docs/simulator.md). Throws
// ccetl::Error(Config) on bad input.
void parse_fault_rules(std::string_view json, uint64_t& seed, std::vector<FaultRule>& rules);

}  // namespace ccetl::sim
