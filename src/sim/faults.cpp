#include "sim/faults.h"

#include <simdjson.h>

#include <algorithm>

#include "core/error.h"

namespace ccetl::sim {
namespace {

bool is_drift(FaultKind k) {
  return k == FaultKind::FieldAdd || k == FaultKind::FieldRename || k == FaultKind::FieldRetype ||
         k == FaultKind::RowsInsert || k == FaultKind::RowsDelete;
}

}  // namespace

void FaultInjector::set(uint64_t seed, std::vector<FaultRule> rules) {
  std::lock_guard lock(mu_);
  seed_ = seed;
  rng_.seed(seed);
  rules_ = std::move(rules);
}

void FaultInjector::set_startup(uint64_t seed, std::vector<FaultRule> rules) {
  std::lock_guard lock(mu_);
  startup_seed_ = seed_ = seed;
  rng_.seed(seed);
  startup_rules_ = rules_ = std::move(rules);
}

void FaultInjector::add(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(rule));
}

void FaultInjector::clear() {
  std::lock_guard lock(mu_);
  rules_ = startup_rules_;
  seed_ = startup_seed_;
  rng_.seed(seed_);
}

size_t FaultInjector::rule_count() const {
  std::lock_guard lock(mu_);
  return rules_.size();
}

FaultActions FaultInjector::decide(std::string_view path, int page) {
  FaultActions a;
  std::lock_guard lock(mu_);
  for (auto& r : rules_) {
    if (!r.path.empty() && path.find(r.path) == std::string_view::npos) continue;
    if (is_drift(r.kind)) {
      if (page <= 0 || page < r.page) continue;
      if (r.kind == FaultKind::RowsInsert) a.row_shift += r.count;
      else if (r.kind == FaultKind::RowsDelete) a.row_shift -= r.count;
      if (r.kind == FaultKind::RowsInsert || r.kind == FaultKind::RowsDelete)
        a.stale_totals = a.stale_totals || r.stale_totals;
      else a.drift.push_back(r);
      continue;
    }
    if (r.page > 0 && r.page != page) continue;
    if (r.times == 0) continue;
    if (r.skip > 0) {
      --r.skip;
      continue;
    }
    if (r.ratio < 1.0) {
      double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      if (u >= r.ratio) continue;
    }
    if (r.times > 0) --r.times;
    switch (r.kind) {
      case FaultKind::Latency: a.latency_ms += r.latency_ms; break;
      case FaultKind::Error:
        if (!a.status) {
          a.status = r.status;
          a.status_after = r.after;
        }
        break;
      case FaultKind::RateLimit:
        if (!a.status) {
          a.status = 429;
          a.status_after = r.after;
        }
        break;
      case FaultKind::Reset: a.reset = true; break;
      case FaultKind::Truncate: a.truncate = true; break;
      case FaultKind::Malformed: a.malformed = true; break;
      case FaultKind::Hang: a.hang = true; break;
      case FaultKind::Close: a.close = true; break;
      default: break;
    }
  }
  return a;
}

void parse_fault_rules(std::string_view json, uint64_t& seed, std::vector<FaultRule>& rules) {
  namespace dom = simdjson::dom;
  auto fail = [](const std::string& m) { throw ccetl::Error(ccetl::ErrorKind::Config, "faults: " + m); };
  dom::parser parser;
  simdjson::padded_string padded(json);
  dom::element doc;
  if (parser.parse(padded).get(doc)) fail("invalid JSON");
  try {
    dom::object obj;
    if (doc.get(obj)) fail("expected an object {\"seed\":..,\"rules\":[..]}");
    int64_t s;
    if (obj["seed"].get(s) == simdjson::SUCCESS) seed = static_cast<uint64_t>(s);
    dom::array arr;
    if (obj["rules"].get(arr)) return;
    static const std::pair<const char*, FaultKind> kKinds[] = {
        {"latency", FaultKind::Latency},          {"error", FaultKind::Error},
        {"rate_limit", FaultKind::RateLimit},     {"reset", FaultKind::Reset},
        {"truncate", FaultKind::Truncate},        {"malformed", FaultKind::Malformed},
        {"hang", FaultKind::Hang},                {"close", FaultKind::Close},
        {"field_add", FaultKind::FieldAdd},
        {"field_rename", FaultKind::FieldRename}, {"field_retype", FaultKind::FieldRetype},
        {"rows_insert", FaultKind::RowsInsert},   {"rows_delete", FaultKind::RowsDelete}};
    for (dom::element e : arr) {
      dom::object ro = e.get_object().value();
      FaultRule r;
      std::string_view kind = ro["kind"].get_string().value();
      auto it = std::find_if(std::begin(kKinds), std::end(kKinds), [&](auto& k) { return kind == k.first; });
      if (it == std::end(kKinds)) fail("unknown kind \"" + std::string(kind) + "\"");
      r.kind = it->second;
      std::string_view sv;
      int64_t iv;
      double dv;
      if (ro["path"].get(sv) == simdjson::SUCCESS) r.path = std::string(sv);
      if (ro["page"].get(iv) == simdjson::SUCCESS) r.page = static_cast<int>(iv);
      if (ro["times"].get(iv) == simdjson::SUCCESS) r.times = static_cast<int>(iv);
      if (ro["skip"].get(iv) == simdjson::SUCCESS) r.skip = static_cast<int>(iv);
      if (ro["ratio"].get(dv) == simdjson::SUCCESS) r.ratio = dv;
      if (ro["latencyMs"].get(iv) == simdjson::SUCCESS) r.latency_ms = static_cast<int>(iv);
      if (ro["status"].get(iv) == simdjson::SUCCESS) r.status = static_cast<int>(iv);
      if (ro["field"].get(iv) == simdjson::SUCCESS) r.field = static_cast<int>(iv);
      if (ro["name"].get(sv) == simdjson::SUCCESS) r.name = std::string(sv);
      if (ro["type"].get(sv) == simdjson::SUCCESS) r.type = std::string(sv);
      if (ro["count"].get(iv) == simdjson::SUCCESS) r.count = static_cast<int>(iv);
      bool bv;
      if (ro["staleTotals"].get(bv) == simdjson::SUCCESS) r.stale_totals = bv;
      if (ro["after"].get(bv) == simdjson::SUCCESS) r.after = bv;
      rules.push_back(std::move(r));
    }
  } catch (const simdjson::simdjson_error& e) {
    fail(std::string("wrong JSON type: ") + e.what());
  }
}

}  // namespace ccetl::sim
