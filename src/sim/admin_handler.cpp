#include "sim/admin_handler.h"

#include <simdjson.h>

#include "core/error.h"
#include "sim/fixtures.h"
#include "sim/json_writer.h"

namespace ccetl::sim {
namespace {

SimResponse ok_json(std::string body) { return json_response(200, std::move(body)); }

SimResponse put_datasets(SimState& state, const SimRequest& req) {
  std::vector<Endpoint> eps;
  try {
    eps = parse_fixtures(req.body, state.options().api_key);
  } catch (const ccetl::Error& e) {
    return error_response(400, e.what());
  }
  auto paths = state.install(std::move(eps));
  JsonWriter w;
  w.begin_object().key("installed").begin_array();
  for (const auto& p : paths) w.value(p);
  w.end_array().end_object();
  return ok_json(w.take());
}

SimResponse put_faults(SimState& state, const SimRequest& req) {
  uint64_t seed = 1;
  std::vector<FaultRule> rules;
  try {
    parse_fault_rules(req.body, seed, rules);
  } catch (const ccetl::Error& e) {
    return error_response(400, e.what());
  }
  size_t n = rules.size();
  state.faults().set(seed, std::move(rules));
  JsonWriter w;
  w.begin_object().key("rules").value(static_cast<uint64_t>(n)).end_object();
  return ok_json(w.take());
}

SimResponse put_config(SimState& state, const SimRequest& req) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(req.body).get(doc)) return error_response(400, "invalid JSON");
  int64_t limit;
  if (doc["rateLimit"].get(limit) == simdjson::SUCCESS) state.rate().set_limit(static_cast<int>(limit));
  return ok_json("{\"rateLimit\":" + std::to_string(state.rate().limit()) + "}");
}

}  // namespace

SimResponse handle_admin(SimState& state, const SimRequest& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  auto wrong_method = [&] { return error_response(405, "The " + m + " method is not allowed on " + p + "."); };
  if (p == "/_sim/health") {
    if (m != "GET") return wrong_method();
    return ok_json("{\"status\":\"ok\",\"endpoints\":" + std::to_string(state.endpoint_count()) +
                   ",\"rateLimit\":" + std::to_string(state.rate().limit()) + "}");
  }
  if (p == "/_sim/requests") {
    if (m != "GET") return wrong_method();
    return ok_json(state.log().to_json());
  }
  if (p == "/_sim/reset") {
    if (m != "POST") return wrong_method();
    state.reset();
    return ok_json("{\"reset\":true}");
  }
  if (p == "/_sim/datasets") {
    if (m == "PUT" || m == "POST") return put_datasets(state, req);
    if (m == "DELETE") {
      std::string path = normalize_path(req.param("path"));
      if (!state.remove(path)) return error_response(404, "No endpoint " + path + ".");
      return ok_json("{\"removed\":" + json_string(path) + "}");
    }
    return wrong_method();
  }
  if (p == "/_sim/faults") {
    if (m != "PUT") return wrong_method();
    return put_faults(state, req);
  }
  if (p == "/_sim/config") {
    if (m != "PUT") return wrong_method();
    return put_config(state, req);
  }
  return error_response(404, "Unknown admin resource " + p + ".");
}

}  // namespace ccetl::sim
