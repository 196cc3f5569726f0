#include "api/proxy_tunnel.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ccetl::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

net::awaitable<bool> open_tunnel(beast::tcp_stream& stream, const Proxy& proxy, const Url& origin, Outcome& out) {
  beast::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  const std::string authority =
      (origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host) + ":" + origin.port;
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  req.set(http::field::user_agent, "ccetl/0.1");
  if (!proxy.authorization.empty()) req.set(http::field::proxy_authorization, proxy.authorization);
  auto lost = [&](const std::string& when) {
    out.nothing_received = true;
    out.failure = ec == beast::error::timeout ? Failure::Timeout : Failure::Network;
    out.cause = "proxy " + proxy.shown + " " + when + " CONNECT " + authority + ": " +
                (ec == beast::error::timeout ? std::string("timeout") : ec.message());
  };
  co_await http::async_write(stream, req, token);
  if (ec) {
    lost("failed while sending");
    co_return false;
  }
  // A 2xx answer to CONNECT has no body whatever its headers say: the tunnel starts right after
  // the header, and skip() keeps the parser from waiting for one.
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  beast::flat_buffer buffer;
  co_await http::async_read_header(stream, buffer, parser, token);
  if (ec) {
    lost("failed to answer");
    co_return false;
  }
  const unsigned status = parser.get().result_int();
  if (status / 100 == 2) {
    if (buffer.size() == 0) co_return true;
    out.failure = Failure::Proxy;  // the origin cannot speak before our TLS ClientHello
    out.cause = "proxy " + proxy.shown + " sent data after accepting CONNECT " + authority;
    co_return false;
  }
  out.nothing_received = true;
  const bool permanent = status == 400 || status == 403 || status == 405 || status == 407;
  out.failure = permanent ? Failure::Proxy : Failure::Network;
  out.cause = "proxy " + proxy.shown + " refused CONNECT " + authority + ": " + std::to_string(status) + " " +
              std::string(parser.get().reason());
  if (status == 407)
    out.cause += proxy.authorization.empty() ? " (the proxy wants credentials: put user:password@ in the proxy URL)"
                                             : " (the proxy rejected the credentials of the proxy URL)";
  co_return false;
}

}  // namespace ccetl::api
