// Answers /api/v1 requests: rate limit, faults, routing, access checks and each endpoint
// kind's behaviour. Check order (docs/simulator.md): 429 (rate) -> injected faults -> 401
// (no apiKey) -> 404 -> 403 (key not bound) -> 405 -> 415 -> 400 -> the answer.
#pragma once

#include "sim/http_types.h"
#include "sim/request_log.h"
#include "sim/sim_state.h"

namespace ccetl::sim {

// `path` must start with "/api/v1". Fills `record` (apiKey flags) for the request log.
SimResponse handle_api(SimState& state, const SimRequest& req, RecordedRequest& record);

// True when `path` (with /api/v1) is a file-attachment upload target, whose body the server
// must stream to disk rather than read into memory.
bool is_upload_path(std::string_view path);

}  // namespace ccetl::sim
