#include "sim/http_types.h"

#include "sim/json_writer.h"

namespace ccetl::sim {

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string name = percent_decode(part.substr(0, eq), true);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    if (name == "find") raw = raw.substr(0, raw.find('?'));
    if (!out.count(name)) out[name] = percent_decode(raw, true);
  }
  return out;
}

SimResponse json_response(int status, std::string body) {
  SimResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

SimResponse error_response(int status, std::string_view description) {
  JsonWriter w;
  w.begin_object().key("status").value(status).key("description").value(description).end_object();
  return json_response(status, w.take());
}

SimResponse invalid_parameter(std::string_view name, std::string_view description) {
  JsonWriter w;
  w.begin_object().key("status").value(400).key("description").value("The specified request is invalid.");
  w.key("invalidParameters").begin_array().begin_object().key("name").value(name);
  w.key("description").value(description).end_object().end_array().end_object();
  return json_response(400, w.take());
}

}  // namespace ccetl::sim
