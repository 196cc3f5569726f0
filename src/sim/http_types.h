// Transport-neutral request/response types: the server (Beast) fills SimRequest and writes
// SimResponse; handlers never see Beast.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccetl::sim {

struct UploadedFile {
  std::string field;
  std::string file_name;
  std::string content_type;
  std::string stored_path;
  uint64_t size = 0;
  std::string sha256;
};

// The outcome of streaming a multipart body to disk (multipart.h).
struct UploadResult {
  std::vector<UploadedFile> files;
  std::string error;  // non-empty when the body was malformed or too large
  bool too_large = false;
};

struct SimRequest {
  std::string method;
  std::string target;  // as received, e.g. "/api/v1/x?page=1&apiKey=K"
  std::string path;    // target before '?', percent-decoded
  std::string query;   // target after the first '?'
  std::map<std::string, std::string> params;  // decoded; see parse_query for the `find` rule
  std::string content_type;
  std::string host;
  std::string client_ip;
  std::string body;
  bool tls = false;
  std::optional<UploadResult> upload;  // set for multipart uploads (body then stays empty)

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
  bool has_param(const std::string& name) const { return params.count(name) != 0; }
  std::string base_url() const { return (tls ? "https://" : "http://") + host; }
};

// How the server delivers an answer; anything but Normal is an injected fault.
enum class Delivery { Normal, Truncate, Reset, Hang, Close };

struct SimResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Delivery delivery = Delivery::Normal;
  int latency_ms = 0;
  bool close = false;
};

// Splits a query string at '&' and decodes names and values. Lenient like the real service:
// a `find` value ends at the first '?', because documented examples write
// `find=X?page=1&apiKey=K`.
std::map<std::string, std::string> parse_query(std::string_view query);
std::string percent_decode(std::string_view s, bool plus_is_space);

// Error bodies in the reference's formats.
SimResponse error_response(int status, std::string_view description);
SimResponse invalid_parameter(std::string_view name, std::string_view description);
SimResponse json_response(int status, std::string body);

}  // namespace ccetl::sim
