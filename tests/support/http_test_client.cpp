#include "support/http_test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace ccetl::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

HttpResult HttpTestClient::request(const std::string& method, const std::string& target, const std::string& body,
                                   const std::map<std::string, std::string>& headers) const {
  HttpResult out;
  // Asynchronous operations on a tcp_stream, run to completion here: only they honour the
  // stream's deadline (blocking Asio reads ignore SO_RCVTIMEO).
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ULL << 31);
  beast::error_code result;
  auto timeout = std::chrono::milliseconds(timeout_ms_);
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(net::ip::make_address(host_), port_), [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code ec2, size_t) {
      if (ec2) {
        result = ec2;
        return;
      }
      stream.expires_after(timeout);
      http::async_read(stream, buffer, parser, [&](beast::error_code ec3, size_t) { result = ec3; });
    });
  });
  ioc.run();
  if (result) {
    out.error = result.message();
    out.body = parser.get().body();
    return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace ccetl::test
