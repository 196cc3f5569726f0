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
#include "core/proxy_url.h"

namespace ccetl::api {

using Proxy = ccetl::ProxyUrl;

// core/proxy_url.h's parser: "[http://][user[:password]@]host[:port]", Error(Config) otherwise.
inline Proxy parse_proxy(std::string_view url, const std::string& source) { return parse_proxy_url(url, source); }

// True when `no_proxy` (comma- or space-separated; "*" for all; "example.com" and
// ".example.com" match that domain and its subdomains; "host:port" only that port; IP addresses
// literally) says `origin` is reached directly. Case-insensitive.
bool bypasses_proxy(std::string_view no_proxy, const Url& origin);

// The proxy to use for `origin`: none for http:// origins, an empty `proxy_url`, or a NO_PROXY
// match. Throws like parse_proxy.
std::optional<Proxy> proxy_for(const std::string& proxy_url, const std::string& proxy_source,
                               const std::string& no_proxy, const Url& origin);

}  // namespace ccetl::api
