// The URL of an HTTP CONNECT proxy (centercode.proxy, HTTPS_PROXY): parsed here, in core, so that
// `ccetl validate` reports a bad one at its line and the API client (api/proxy.h) uses the same
// reading.
#pragma once

#include <string>
#include <string_view>

namespace ccetl {

struct ProxyUrl {
  std::string host;           // lowercase; IPv6 literals without brackets
  std::string port;
  std::string authorization;  // "Basic …" from the URL's user:password, empty when none. A
                              // secret: sent only in the CONNECT request, never in a message
  std::string shown;          // "http://host:port", for messages (no user, no password)
};

// Parses "[http://][user[:password]@]host[:port][/]" (port default 1080, as curl has it; user and
// password percent-decoded). Throws Error(Config) naming `source` (e.g. "HTTPS_PROXY") for any
// other scheme or a malformed URL; the message never repeats the password.
ProxyUrl parse_proxy_url(std::string_view url, const std::string& source);

}  // namespace ccetl
