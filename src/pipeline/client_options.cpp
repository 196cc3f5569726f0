#include "pipeline/client_options.h"

#include <cstdlib>
#include <tuple>

namespace ccetl {
namespace {

// The first of `names` set in the environment (set and empty counts), with its name.
std::pair<std::string, std::string> from_environment(std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (const char* v = std::getenv(name)) return {name, v};
  return {};
}

}  // namespace

ClientOptions client_options_for(const CentercodeConfig& c) {
  ClientOptions o;
  o.base_url = c.base_url;
  o.allow_insecure_http = c.allow_insecure_http;
  o.ca_file = c.ca_file;
  o.rate_limit = c.rate_limit;
  o.request_timeout = c.request_timeout;
  o.max_attempts = c.max_attempts;
  // centercode.proxy wins over the environment; curl's variable names and precedence otherwise.
  if (c.proxy) {
    o.proxy = *c.proxy;
    o.proxy_source = "centercode.proxy";
  } else {
    std::tie(o.proxy_source, o.proxy) = from_environment({"HTTPS_PROXY", "https_proxy"});
  }
  o.no_proxy = from_environment({"NO_PROXY", "no_proxy"}).second;
  return o;
}

}  // namespace ccetl
