#include "api/proxy.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/error.h"

namespace ccetl::api {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool bypasses_proxy(std::string_view no_proxy, const Url& origin) {
  const std::string host = lower(origin.host);
  size_t i = 0;
  while (i < no_proxy.size()) {
    size_t end = no_proxy.find_first_of(", \t", i);
    if (end == std::string_view::npos) end = no_proxy.size();
    std::string entry = lower(no_proxy.substr(i, end - i));
    i = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    std::string port;
    if (entry.front() == '[') {  // [v6]:port or [v6]
      auto close = entry.find(']');
      if (close == std::string::npos) continue;
      if (close + 1 < entry.size() && entry[close + 1] == ':') port = entry.substr(close + 2);
      entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      auto colon = entry.find(':');
      port = entry.substr(colon + 1);
      entry.resize(colon);
    }
    if (!port.empty() && port != origin.port) continue;
    if (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
    if (entry.empty()) continue;
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

std::optional<Proxy> proxy_for(const std::string& proxy_url, const std::string& proxy_source,
                               const std::string& no_proxy, const Url& origin) {
  if (proxy_url.empty()) return std::nullopt;
  Proxy proxy = parse_proxy(proxy_url, proxy_source);  // a bad setting is reported even when bypassed
  if (origin.scheme != "https" || bypasses_proxy(no_proxy, origin)) return std::nullopt;
  return proxy;
}

}  // namespace ccetl::api
