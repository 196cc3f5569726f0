#include "warehouse/connection_defaults.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <vector>

namespace ccetl::warehouse {
namespace {

// libpq's keyword=value quoting: single quotes, with \ and ' escaped.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

}  // namespace

std::string with_connection_defaults(const std::string& dsn,
                                     std::optional<std::chrono::seconds> statement_timeout) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (!options) {
    if (error) PQfreemem(error);
    return dsn;
  }
  std::vector<std::pair<std::string, std::string>> set;  // in libpq's order
  std::map<std::string, std::string> by_name;
  for (PQconninfoOption* o = options; o->keyword; ++o)
    if (o->val) {
      set.emplace_back(o->keyword, o->val);
      by_name[o->keyword] = o->val;
    }
  PQconninfoFree(options);

  auto add_default = [&](const std::string& key, const std::string& value, const char* env) {
    if (by_name.count(key) || (env && env_set(env))) return;
    set.emplace_back(key, value);
  };
  add_default("connect_timeout", std::to_string(kDefaultConnectTimeoutSeconds), "PGCONNECT_TIMEOUT");
  add_default("keepalives", "1", nullptr);
  add_default("keepalives_idle", "30", nullptr);
  add_default("keepalives_interval", "10", nullptr);
  add_default("keepalives_count", "3", nullptr);
  add_default("tcp_user_timeout", "60000", nullptr);
  if (statement_timeout) {
    // An `options` in the DSN replaces PGOPTIONS: keep what either said.
    std::string base = by_name.count("options") ? by_name["options"]
                       : env_set("PGOPTIONS")   ? std::getenv("PGOPTIONS")
                                                : "";
    std::string value = base + (base.empty() ? "" : " ") + "-c statement_timeout=" +
                        std::to_string(std::chrono::milliseconds(*statement_timeout).count());
    bool replaced = false;
    for (auto& [k, v] : set)
      if (k == "options") v = value, replaced = true;
    if (!replaced) set.emplace_back("options", value);
  }
  std::string out;
  for (const auto& [k, v] : set) out += (out.empty() ? "" : " ") + k + "=" + quoted(v);
  return out;
}

}  // namespace ccetl::warehouse
