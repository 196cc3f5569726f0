// The small amount of URL handling the client needs: split base and absolute URLs, check that an
// absolute URL from the API stays on the base URL's origin, append the apiKey parameter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ccetl::api {

struct Url {
  std::string scheme;  // "https" or "http", lowercase
  std::string host;    // lowercase; IPv6 literals without brackets
  std::string port;    // explicit or the scheme's default
  std::string target;  // path and query, starts with '/'

  bool same_origin(const Url& other) const {
    return scheme == other.scheme && host == other.host && port == other.port;
  }
  // Host header value: host, plus ":port" when not the scheme's default.
  std::string host_header() const;
  // scheme://host[:port]
  std::string origin() const;
};

// nullopt unless `text` is an absolute http(s) URL with a host (userinfo and fragments refused).
std::optional<Url> parse_url(std::string_view text);

// The path of `target` without its query: the rate-limit key.
std::string_view path_of(std::string_view target);

// Appends apiKey=<url-encoded key> with '?' or '&' as the target requires.
std::string with_api_key(std::string_view target, std::string_view api_key);

}  // namespace ccetl::api
