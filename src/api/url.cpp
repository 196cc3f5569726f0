#include "api/url.h"

#include <algorithm>

#include "api/endpoints.h"

namespace ccetl::api {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
std::string default_port(std::string_view scheme) { return scheme == "https" ? "443" : "80"; }
}  // namespace

std::string Url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) h += ":" + port;
  return h;
}

std::string Url::origin() const { return scheme + "://" + host_header(); }

std::optional<Url> parse_url(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "https" && url.scheme != "http") return std::nullopt;
  std::string_view rest = text.substr(sep + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (target.find('#') != std::string_view::npos) return std::nullopt;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = lower(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return std::nullopt;
    if (!authority.empty()) url.port = std::string(authority.substr(1));
  } else {
    auto colon = authority.find(':');
    url.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  if (url.host.empty()) return std::nullopt;
  if (url.port.empty()) url.port = default_port(url.scheme);
  if (url.port.size() > 5 || !std::all_of(url.port.begin(), url.port.end(), ::isdigit) ||
      std::stoi(url.port) == 0 || std::stoi(url.port) > 65535)
    return std::nullopt;
  url.port = std::to_string(std::stoi(url.port));  // "0443" and "443" are the same origin
  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string with_api_key(std::string_view target, std::string_view api_key) {
  std::string out(target);
  if (target.find('?') == std::string_view::npos) out += '?';
  else if (out.back() != '?' && out.back() != '&') out += '&';
  out += "apiKey=";
  out += endpoints::url_encode(api_key);
  return out;
}

}  // namespace ccetl::api
