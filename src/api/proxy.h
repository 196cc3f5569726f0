// HTTPS through an HTTP CONNECT proxy, as corporate egress requires. The proxy only relays
// bytes: TLS runs end to end with the API's origin (SNI and certificate checks name the origin,
// never the proxy), so the proxy sees neither the API key nor the data.
//
// Configuration (pipeline/client_options.cpp): centercode.proxy, else HTTPS_PROXY, else
// https_proxy; NO_PROXY / no_proxy lists hosts that are reached directly. Plain http:// origins
// (test servers) never use the proxy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/url.h"

namespace ccetl::api {

struct Proxy {
  std::string host;           // lowercase; IPv6 literals without brackets
  std::string port;
  std::string authorization;  // "Basic …" from the URL's user:password, empty when none. A
                              // secret: sent only in the CONNECT request, never in a message
  std::string shown;          // "http://host:port", for messages (no user, no password)
};

// Parses "[http://][user[:password]@]host[:port][/]" (port default 1080, as curl has it; user and
// password percent-decoded). Throws Error(Config) naming `source` (e.g. "HTTPS_PROXY") for any
// other scheme or a malformed URL; the message never repeats the password.
Proxy parse_proxy(std::string_view url, const std::string& source);

// True when `no_proxy` (comma- or space-separated; "*" for all; "example.com" and
// ".example.com" match that domain and its subdomains; "host:port" only that port; IP addresses
// literally) says `origin` is reached directly. Case-insensitive.
bool bypasses_proxy(std::string_view no_proxy, const Url& origin);

// The proxy to use for `origin`: none for http:// origins, an empty `proxy_url`, or a NO_PROXY
// match. Throws like parse_proxy.
std::optional<Proxy> proxy_for(const std::string& proxy_url, const std::string& proxy_source,
                               const std::string& no_proxy, const Url& origin);

}  // namespace ccetl::api
