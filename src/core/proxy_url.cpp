#include "core/proxy_url.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "core/error.h"

namespace ccetl {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return std::nullopt;
    out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

std::string base64(std::string_view in) {
  std::vector<unsigned char> out(4 * ((in.size() + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
}

bool valid_port(const std::string& p) {
  return !p.empty() && p.size() <= 5 && std::all_of(p.begin(), p.end(), ::isdigit) && std::stoi(p) > 0 &&
         std::stoi(p) <= 65535;
}

}  // namespace

ProxyUrl parse_proxy_url(std::string_view url, const std::string& source) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::Config, source + ": " + why +
                                        " (expected http://[user:password@]host:port of an HTTP CONNECT proxy)");
  };
  std::string_view rest = url;
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    std::string scheme = lower(rest.substr(0, sep));
    if (scheme != "http")
      throw bad("proxy scheme '" + scheme + "://' is not supported; only http:// proxies (CONNECT) are");
    rest.remove_prefix(sep + 3);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") throw bad("a proxy URL has no path");
    rest = rest.substr(0, slash);
  }
  ProxyUrl p;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? "" : userinfo.substr(colon + 1));
    if (!user || !password) throw bad("malformed percent-encoding in the proxy's user or password");
    p.authorization = "Basic " + base64(*user + ":" + *password);
  }
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '[' in the proxy host");
    p.host = lower(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') throw bad("unexpected text after the proxy host");
    if (!rest.empty()) p.port = std::string(rest.substr(1));
  } else {
    auto colon = rest.find(':');
    p.host = lower(rest.substr(0, colon));
    if (colon != std::string_view::npos) p.port = std::string(rest.substr(colon + 1));
  }
  if (p.host.empty()) throw bad("no proxy host");
  if (p.port.empty()) p.port = "1080";
  if (!valid_port(p.port)) throw bad("bad proxy port '" + p.port + "'");
  p.port = std::to_string(std::stoi(p.port));
  p.shown = "http://" + (p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host) + ":" + p.port;
  return p;
}

}  // namespace ccetl
