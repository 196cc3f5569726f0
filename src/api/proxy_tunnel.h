// The CONNECT exchange that turns a TCP connection to a proxy into a tunnel to the origin
// (api/proxy.h). Internal to connection.cpp; a header of its own so that Beast's HTTP parser for
// the proxy's answer is compiled once, here.
#pragma once

#include <utility>  // before Asio's coroutine headers (they use std::exchange)

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "api/connection.h"
#include "api/proxy.h"

namespace ccetl::api {

// Sends "CONNECT host:port" for `origin` (with Proxy-Authorization when the proxy has one) on
// `stream`, already connected to the proxy with its deadline set, and reads the proxy's answer.
// True on a 2xx: the stream now carries bytes to and from the origin. Otherwise fills `out`:
// Failure::Proxy for an answer that will not change on retry (400, 403, 405, 407), Network for
// other answers (502 and friends: the proxy could not reach the origin) and lost connections,
// Timeout when the deadline passed. Causes name the proxy without its credentials.
boost::asio::awaitable<bool> open_tunnel(boost::beast::tcp_stream& stream, const Proxy& proxy, const Url& origin,
                                         Outcome& out);

}  // namespace ccetl::api
