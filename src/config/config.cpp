// load_config reads the whole file, collects every problem (mold-style: report all, then stop),
// and only then decides. Secrets (API keys, DSNs) are masked in every message before it leaves.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/sections.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "core/proxy_url.h"
#include "core/redact.h"

namespace ccetl {

using config_detail::MapReader;
using config_detail::Problems;
using config_detail::sub_map;

std::string ConfigProblem::to_string() const {
  std::string where = mark.file;
  if (mark.line > 0) where += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  return where + ": " + message;
}

namespace {

std::string join(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p.to_string();
  return out;
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/') return path;
  return base_dir + "/" + path;
}

// Returns whether a default API key is configured (or the section is missing, already reported),
// so that jobs without their own key are not reported a second time.
bool read_centercode(const MapReader& top, Config& config, const std::string& base_dir) {
  top.require("centercode");
  if (!top.has("centercode")) return true;
  MapReader cc = sub_map(top, "centercode", "centercode", "centercode.",
                         {"base_url", "api_key", "api_key_file", "allow_insecure_http", "ca_file",
                          "rate_limit", "max_in_flight", "request_timeout", "max_attempts", "proxy"});
  if (!cc.is_map()) return true;
  CentercodeConfig& out = config.centercode;
  Problems& problems = cc.problems();
  if (auto v = cc.boolean("allow_insecure_http")) out.allow_insecure_http = *v;
  if (auto url = cc.string("base_url", true)) {
    std::string u = *url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    const bool https = u.rfind("https://", 0) == 0;
    const bool http = u.rfind("http://", 0) == 0;
    const size_t host_at = https ? 8 : 7;
    if ((!https && !http) || u.size() <= host_at || u[host_at] == '/' ||
        u.find_first_of(" \t?#") != std::string::npos) {
      problems.add(cc.mark_of("base_url"),
                   "centercode.base_url: expected an http(s) URL such as "
                   "https://company.centercode.com/api/v1, got '" + *url + "'");
    } else if (http && !out.allow_insecure_http) {
      problems.add(cc.mark_of("base_url"),
                   "centercode.base_url: plain http:// would send the API key unencrypted; use "
                   "https://, or set 'allow_insecure_http: true' under centercode (local testing only)");
    }
    out.base_url = u;
  }
  if (cc.has("api_key") && cc.has("api_key_file")) {
    problems.add(cc.mark_of("api_key_file"),
                 "centercode: set only one of api_key and api_key_file, not both");
  } else if (cc.has("api_key")) {
    if (auto key = cc.string("api_key")) {
      if (key->empty()) problems.add(cc.mark_of("api_key"), "centercode.api_key: must not be empty");
      out.api_key = *key;
    }
  } else if (auto file = cc.string("api_key_file")) {
    out.api_key_file = resolve_path(*file, base_dir);
    if (auto key = config_detail::read_secret_file(problems, *file, cc.mark_of("api_key_file"),
                                                   "centercode.api_key_file", base_dir)) {
      out.api_key = *key;
    }
  }
  if (auto ca = cc.string("ca_file")) {
    out.ca_file = resolve_path(*ca, base_dir);
    if (!std::ifstream(out.ca_file)) {
      problems.add(cc.mark_of("ca_file"), "centercode.ca_file: cannot read '" + *ca + "': " +
                                              std::strerror(errno));
    }
  }
  if (auto v = cc.number("rate_limit", 0.01, 10000)) out.rate_limit = *v;
  if (auto v = cc.integer("max_in_flight", 1, 64)) out.max_in_flight = static_cast<int>(*v);
  if (auto v = cc.duration("request_timeout")) out.request_timeout = *v;
  if (auto v = cc.integer("max_attempts", 1, 100)) out.max_attempts = static_cast<int>(*v);
  if (auto proxy = cc.string("proxy")) {
    try {
      if (!proxy->empty()) parse_proxy_url(*proxy, "centercode.proxy");  // "" means: no proxy
    } catch (const Error& e) {
      problems.add(cc.mark_of("proxy"), e.what());
    }
    out.proxy = *proxy;
  }
  return cc.has("api_key") || cc.has("api_key_file");
}

// LoadOptions::check_dsn, when the caller gave one. The message is the checker's; secrets in it
// are masked with every other message at the end of load_config.
void check_dsn(Problems& problems, const std::string& dsn, const SourceMark& at, const std::string& label) {
  const auto& check = problems.options().check_dsn;
  if (!check || dsn.empty()) return;
  if (auto error = check(dsn)) problems.add(at, label + ": " + *error);
}

void read_warehouse(const MapReader& top, Config& config, const std::string& base_dir) {
  top.require("warehouse");
  if (!top.has("warehouse")) return;
  MapReader wh = sub_map(top, "warehouse", "warehouse", "warehouse.", {"dsn", "dsn_file", "schema", "lock_timeout", "statement_timeout"});
  if (!wh.is_map()) return;
  Problems& problems = wh.problems();
  WarehouseConfig& out = config.warehouse;
  if (wh.has("dsn") && wh.has("dsn_file")) {
    problems.add(wh.mark_of("dsn_file"), "warehouse: set only one of dsn and dsn_file, not both");
  } else if (wh.has("dsn")) {
    if (auto dsn = wh.string("dsn")) {
      if (dsn->empty()) problems.add(wh.mark_of("dsn"), "warehouse.dsn: must not be empty");
      out.dsn = *dsn;
      check_dsn(problems, out.dsn, wh.mark_of("dsn"), "warehouse.dsn");
    }
  } else if (wh.has("dsn_file")) {
    if (auto file = wh.string("dsn_file")) {
      out.dsn_file = resolve_path(*file, base_dir);
      if (auto dsn = config_detail::read_secret_file(problems, *file, wh.mark_of("dsn_file"),
                                                     "warehouse.dsn_file", base_dir)) {
        out.dsn = *dsn;
        check_dsn(problems, out.dsn, wh.mark_of("dsn_file"), "warehouse.dsn_file");
      }
    }
  } else {
    problems.add(wh.self(), "warehouse: missing 'dsn' (a libpq connection string or URI) or 'dsn_file'");
  }
  if (auto schema = wh.string("schema")) {
    if (!config_detail::valid_identifier(*schema)) {
      problems.add(wh.mark_of("schema"), "warehouse.schema: '" + *schema +
                                             "' is not a valid name (expected [a-z_][a-z0-9_]*, "
                                             "at most 63 characters)");
    }
    out.schema = *schema;
  }
  if (auto v = wh.duration("lock_timeout")) out.lock_timeout = *v;
  if (auto v = wh.duration("statement_timeout")) out.statement_timeout = *v;
}

void read_daemon(const MapReader& top, Config& config) {
  if (!top.has("daemon")) return;
  MapReader d = sub_map(top, "daemon", "daemon", "daemon.",
                        {"max_concurrent_jobs", "listen", "time_zone", "grace", "catch_up"});
  if (!d.is_map()) return;
  Problems& problems = d.problems();
  DaemonConfig& out = config.daemon;
  if (auto v = d.integer("max_concurrent_jobs", 1, 256)) out.max_concurrent_jobs = static_cast<int>(*v);
  if (auto listen = d.string("listen")) {
    size_t colon = listen->rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < listen->size();
    if (ok) {
      const std::string port = listen->substr(colon + 1);
      ok = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
           std::stoi(port) >= 0 && std::stoi(port) <= 65535;
    }
    if (!listen->empty() && !ok) {
      problems.add(d.mark_of("listen"),
                   "daemon.listen: expected HOST:PORT such as 127.0.0.1:9464, got '" + *listen + "'");
    }
    out.listen = *listen;
  }
  if (auto zone = d.string("time_zone")) {
    if (!config_detail::zone_exists(*zone)) {
      problems.add(d.mark_of("time_zone"), "daemon.time_zone: unknown time zone '" + *zone +
                                               "' (expected an IANA name such as UTC or Europe/Berlin)");
    }
    out.time_zone = *zone;
  }
  if (auto v = d.duration("grace")) out.grace = *v;
  if (auto v = d.duration("catch_up")) out.catch_up = *v;
}

// Every secret the file resolved, for masking messages. Values shorter than kMinSecretLength
// are not real keys or DSNs, and masking them would garble messages (a DSN "x" would turn every
// "x" into "***").
std::vector<std::string> secrets_of(const Config& config) {
  constexpr size_t kMinSecretLength = 6;
  std::vector<std::string> secrets;
  auto add = [&](const std::string& s) {
    if (s.size() >= kMinSecretLength) secrets.push_back(s);
  };
  add(config.centercode.api_key);
  add(config.warehouse.dsn);
  for (const auto& job : config.jobs) add(job.api_key);
  return secrets;
}

}  // namespace

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : Error(ErrorKind::Config, join(problems)), problems_(std::move(problems)) {}

const JobSpec* Config::find_job(const std::string& name) const {
  for (const auto& job : jobs) {
    if (job.name == name) return &job;
  }
  return nullptr;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv is safe here: the daemon never calls setenv after start-up.
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

Config load_config(const std::string& path, const EnvLookup& env, const LoadOptions& options) {
  Problems problems(path, env, options);
  Config config;
  config.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add(SourceMark{path, 0, 0},
                 std::string("cannot read the config file: ") + std::strerror(errno));
    throw ConfigError(std::move(problems.list()));
  }
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::ParserException& e) {
    problems.add(problems.mark(e.mark), "invalid YAML: " + e.msg);
    throw ConfigError(std::move(problems.list()));
  } catch (const YAML::Exception& e) {
    problems.add(problems.mark(e.mark), std::string("invalid YAML: ") + e.msg);
    throw ConfigError(std::move(problems.list()));
  }
  const SourceMark top_mark = problems.mark(root, SourceMark{path, 1, 1});
  if (!root.IsMap()) {
    problems.add(top_mark, std::string(root.IsNull() ? "the file is empty" : "expected a map at the top level, got " +
                                                           config_detail::describe(root)) +
                               ": a config needs the keys centercode, warehouse and jobs");
    throw ConfigError(std::move(problems.list()));
  }
  MapReader top(problems, root, top_mark, "the top level", "",
                {"centercode", "warehouse", "daemon", "jobs"});
  const std::string base_dir = directory_of(path);
  const bool has_default_key = read_centercode(top, config, base_dir);
  read_warehouse(top, config, base_dir);
  read_daemon(top, config);
  read_jobs(top, config, has_default_key);
  if (!problems.list().empty()) {
    auto secrets = secrets_of(config);
    for (auto& p : problems.list()) {
      for (const auto& s : secrets) p.message = redact(p.message, s);
    }
    throw ConfigError(std::move(problems.list()));
  }
  config.unset_env.assign(problems.unset_env().begin(), problems.unset_env().end());
  return config;
}

}  // namespace ccetl
