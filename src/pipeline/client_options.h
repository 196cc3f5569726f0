#pragma once

#include "api/client.h"
#include "config/config.h"

namespace ccetl {

// The HTTP client settings a configuration asks for.
ClientOptions client_options_for(const CentercodeConfig& centercode);

}  // namespace ccetl
