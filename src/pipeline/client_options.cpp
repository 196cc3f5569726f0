#include "pipeline/client_options.h"

namespace ccetl {

ClientOptions client_options_for(const CentercodeConfig& c) {
  ClientOptions o;
  o.base_url = c.base_url;
  o.allow_insecure_http = c.allow_insecure_http;
  o.ca_file = c.ca_file;
  o.rate_limit = c.rate_limit;
  o.request_timeout = c.request_timeout;
  o.max_attempts = c.max_attempts;
  return o;
}

}  // namespace ccetl
