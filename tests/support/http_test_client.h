// A small synchronous HTTP/1.1 client for tests: one connection per request, plain HTTP.
// Transport failures (reset, truncated body, timeout) are reported in `error`, never thrown,
// so fault-injection tests can assert on them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ccetl::test {

struct HttpResult {
  int status = 0;  // 0 when no complete response arrived
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string error;  // empty on success

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpTestClient {
 public:
  HttpTestClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

  // Receive timeout per read, for hang tests.
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {}) const;
  HttpResult get(const std::string& target) const { return request("GET", target); }
  HttpResult post_json(const std::string& target, const std::string& body) const {
    return request("POST", target, body, {{"Content-Type", "application/json"}});
  }
  HttpResult put_json(const std::string& target, const std::string& body) const {
    return request("PUT", target, body, {{"Content-Type", "application/json"}});
  }

 private:
  std::string host_;
  uint16_t port_;
  int timeout_ms_ = 20000;
};

}  // namespace ccetl::test
