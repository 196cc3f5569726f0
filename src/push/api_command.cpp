#include "push/api_command.h"

#include <simdjson.h>

#include <cstdlib>
#include <fstream>

#include "api/api_error.h"
#include "api/client.h"
#include "api/endpoints.h"
#include "config/config.h"
#include "core/redact.h"
#include "pipeline/client_options.h"

namespace ccetl {
namespace {

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

bool is_absolute(const std::string& target) {
  return target.rfind("https://", 0) == 0 || target.rfind("http://", 0) == 0;
}

std::string with_find(const std::string& target, const std::string& find) {
  if (find.empty()) return target;
  return target + (target.find('?') == std::string::npos ? "?" : "&") + "find=" + endpoints::url_encode(find);
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int api_command(const ApiArgs& args, std::FILE* out, std::FILE* err) {
  Config config;
  try {
    config = load_config(args.config_path);
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) std::fprintf(err, "%s\n", p.to_string().c_str());
    return kUsage;
  } catch (const Error& e) {
    std::fprintf(err, "ccetl: %s\n", e.what());
    return kUsage;
  }
  std::string key = config.centercode.api_key;
  if (!args.api_key_env.empty()) {
    const char* value = std::getenv(args.api_key_env.c_str());
    if (!value || !*value) {
      std::fprintf(err, "ccetl: environment variable %s is not set\n", args.api_key_env.c_str());
      return kUsage;
    }
    key = value;
  }
  if (key.empty()) {
    std::fprintf(err, "ccetl: no API key: set centercode.api_key or use --api-key-env\n");
    return kUsage;
  }
  if (args.method != "get" && args.method != "post" && args.method != "upload") {
    std::fprintf(err, "ccetl: unknown method '%s' (get, post or upload)\n", args.method.c_str());
    return kUsage;
  }
  if (!is_absolute(args.target) && (args.target.empty() || args.target[0] != '/')) {
    std::fprintf(err, "ccetl: the target must be a path starting with '/' or an absolute URL\n");
    return kUsage;
  }
  if (args.method == "post" && !args.json.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(args.json).get(doc) != simdjson::SUCCESS) {
      std::fprintf(err, "ccetl: --json is not valid JSON\n");
      return kUsage;
    }
  }
  if (args.method == "upload") {
    std::ifstream in(args.file, std::ios::binary);
    if (args.file.empty() || !in) {
      std::fprintf(err, "ccetl: cannot read --file '%s'\n", args.file.c_str());
      return kUsage;
    }
  }

  std::string target = with_find(args.target, args.find);
  try {
    auto client = make_client(client_options_for(config.centercode));
    Response r;
    if (args.method == "get") {
      r = is_absolute(target) ? client->get_absolute(target, key) : client->get(target, key);
    } else if (args.method == "post") {
      if (is_absolute(target)) {
        std::fprintf(err, "ccetl: post takes a path relative to centercode.base_url\n");
        return kUsage;
      }
      r = client->post_json(target, key, args.json);
    } else {
      // Streamed from disk whatever its size.
      std::string base = config.centercode.base_url;
      while (!base.empty() && base.back() == '/') base.pop_back();
      r = client->post_file_absolute_from_disk(is_absolute(target) ? target : base + target, key,
                                               base_name(args.file), args.file);
    }
    std::fprintf(out, "HTTP %d %s (%d attempt%s)\n", r.status, r.content_type.c_str(), r.attempts,
                 r.attempts == 1 ? "" : "s");
    std::string body = redact(r.body, key);
    std::fprintf(out, "%s%s", body.c_str(), body.empty() || body.back() == '\n' ? "" : "\n");
    return kOk;
  } catch (const ApiError& e) {
    std::fprintf(err, "ccetl: HTTP %d: %s\n", e.status(), redact(e.description(), key).c_str());
    for (const auto& p : e.invalid_parameters())
      std::fprintf(err, "  %s: %s\n", p.name.c_str(), redact(p.description, key).c_str());
    return e.kind() == ErrorKind::Config ? kUsage : kRefused;
  } catch (const Error& e) {
    std::fprintf(err, "ccetl: %s\n", redact(e.what(), key).c_str());
    return e.kind() == ErrorKind::Config ? kUsage : kRefused;
  }
}

}  // namespace ccetl
