// The simulator's own control surface under /_sim (no API key, no rate limit, no faults):
//   GET    /_sim/health             {"status":"ok","endpoints":N,"rateLimit":N}
//   GET    /_sim/requests           recorded requests (request_log.h)
//   POST   /_sim/reset              back to the startup state
//   PUT    /_sim/datasets           body: one fixture or an array of fixtures
//   DELETE /_sim/datasets?path=P    removes an endpoint
//   PUT    /_sim/faults             body: {"seed":S,"rules":[...]}, replaces all rules
//   PUT    /_sim/config             body: {"rateLimit":N}
#pragma once

#include "sim/http_types.h"
#include "sim/sim_state.h"

namespace ccetl::sim {

SimResponse handle_admin(SimState& state, const SimRequest& req);

}  // namespace ccetl::sim
