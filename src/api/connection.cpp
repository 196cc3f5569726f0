// Beast/Asio implementation of Connection. Deadlines: the connect phase (TCP connect + TLS
// handshake) is bounded by connect_timeout, the whole exchange by request_timeout through
// tcp_stream::expires_at; name resolution, which tcp_stream cannot bound, is covered by running
// the io_context only until the request deadline and cancelling what is left.
#include <utility>  // before Asio's coroutine headers (they use std::exchange)

#include "api/connection.h"
#include "api/body_pool.h"
#include "api/proxy_tunnel.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/error.h"

namespace ccetl::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
constexpr size_t kPadding = 64;  // SIMDJSON_PADDING, without including simdjson here
constexpr auto kResolveSlack = std::chrono::milliseconds(200);
constexpr auto kCancelPoll = std::chrono::milliseconds(50);
}  // namespace

class TlsContext {
 public:
  TlsContext() : ctx(ssl::context::tls_client) {}
  ssl::context ctx;
};

std::shared_ptr<TlsContext> make_tls_context(const std::string& ca_file) {
  auto tls = std::make_shared<TlsContext>();
  beast::error_code ec;
  tls->ctx.set_default_verify_paths(ec);
  if (ec) throw Error(ErrorKind::Config, "cannot load the system's trusted certificates: " + ec.message());
  tls->ctx.set_verify_mode(ssl::verify_peer);
  if (!ca_file.empty()) {
    std::error_code fs_ec;
    if (!std::filesystem::is_regular_file(ca_file, fs_ec))
      throw Error(ErrorKind::Config, "centercode.ca_file " + ca_file + " is not a readable file");
    tls->ctx.load_verify_file(ca_file, ec);
    if (ec)
      throw Error(ErrorKind::Config, "centercode.ca_file " + ca_file +
                                         " holds no usable PEM certificate: " + ec.message());
  }
  return tls;
}

struct Connection::Impl {
  Url origin;
  std::shared_ptr<TlsContext> tls;
  net::io_context ioc;
  tcp::resolver resolver{ioc};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;  // kept across reads of one kept-alive connection
  BodyPool* bodies = nullptr;  // where sized bodies get their buffers (optional)
  std::optional<Proxy> proxy;  // set: TCP goes to the proxy, then CONNECT to the origin
  bool connected = false;
  // Set while a cancelled or timed-out exchange is drained: an operation already completed
  // (a resolve, a connect) must not go on to open a socket or write the request.
  bool stopping = false;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // Closes the sockets; pending operations complete with operation_aborted. The stream
  // objects stay alive for them.
  void close_sockets() {
    stopping = true;
    beast::error_code ignored;
    resolver.cancel();
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    if (plain) plain->socket().close(ignored);
  }

  // Only when no operation is pending.
  void close() {
    close_sockets();
    secure.reset();
    plain.reset();
    buffer.consume(buffer.size());
    connected = false;
  }

  net::awaitable<void> run(const HttpRequest& request, Limits limits, Clock::time_point deadline,
                           Outcome& out);
  net::awaitable<bool> connect(Limits limits, Clock::time_point deadline, Outcome& out);
  template <class Stream, class Token>
  net::awaitable<void> read_sized_body(Stream& stream, size_t length, std::string& body, Token token);
  template <class Stream>
  net::awaitable<void> transfer(Stream& stream, const HttpRequest& request, Limits limits,
                                Clock::time_point deadline, Outcome& out);
  template <class Stream>
  net::awaitable<bool> write_streamed(Stream& stream, const HttpRequest& request, Outcome& out);
};

namespace {

bool is_connection_loss(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::error::connection_aborted || ec == ssl::error::stream_truncated;
}

void fail(Outcome& out, Failure failure, std::string cause) {
  out.failure = failure;
  out.cause = std::move(cause);
}

std::string tls_verify_cause(SSL* ssl, const std::string& host) {
  long result = SSL_get_verify_result(ssl);
  std::string why = result == X509_V_OK ? "certificate does not match the host name " + host
                                        : X509_verify_cert_error_string(result);
  return "TLS certificate verify failed for " + host + " (" + why +
         "); if the server uses a private CA, set centercode.ca_file to its certificate";
}

}  // namespace

net::awaitable<bool> Connection::Impl::connect(Limits limits, Clock::time_point deadline,
                                               Outcome& out) {
  beast::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  // Through a proxy only the proxy's name is resolved here; it resolves the origin's.
  const std::string& dial_host = proxy ? proxy->host : origin.host;
  auto results = co_await resolver.async_resolve(dial_host, proxy ? proxy->port : origin.port, token);
  if (!ec && stopping) ec = net::error::operation_aborted;
  if (ec) {
    fail(out, Failure::Network, std::string(proxy ? "cannot resolve proxy " : "cannot resolve ") + dial_host + ": " +
                                    ec.message());
    co_return false;
  }
  if (tls)
    secure.emplace(ioc, tls->ctx);
  else
    plain.emplace(ioc);
  auto connect_deadline = std::min(deadline, Clock::now() + limits.connect_timeout);
  lowest().expires_at(connect_deadline);
  co_await lowest().async_connect(results, token);
  if (!ec && stopping) ec = net::error::operation_aborted;
  if (ec) {
    fail(out, ec == beast::error::timeout ? Failure::Timeout : Failure::Network,
         "cannot connect to " + (proxy ? "proxy " + proxy->shown : origin.host_header()) + ": " +
             (ec == beast::error::timeout ? std::string("connect timeout") : ec.message()));
    co_return false;
  }
  if (proxy) {
    bool tunnelled = co_await open_tunnel(lowest(), *proxy, origin, out);
    if (!tunnelled) co_return false;
  }
  if (secure) {
    if (!SSL_set_tlsext_host_name(secure->native_handle(), origin.host.c_str())) {
      fail(out, Failure::Tls, "cannot set TLS server name " + origin.host);
      co_return false;
    }
    secure->set_verify_mode(ssl::verify_peer);
    secure->set_verify_callback(ssl::host_name_verification(origin.host));
    lowest().expires_at(connect_deadline);
    co_await secure->async_handshake(ssl::stream_base::client, token);
    if (!ec && stopping) ec = net::error::operation_aborted;
    if (ec) {
      if (ec == beast::error::timeout)
        fail(out, Failure::Timeout, "TLS handshake with " + origin.host_header() + " timed out");
      else if (ec.category() == net::error::get_ssl_category() &&
               ERR_GET_REASON(ec.value()) == SSL_R_CERTIFICATE_VERIFY_FAILED)
        fail(out, Failure::TlsVerify, tls_verify_cause(secure->native_handle(), origin.host));
      else if (ec.category() == net::error::get_ssl_category())
        fail(out, Failure::Tls, "TLS handshake with " + origin.host_header() + " failed: " + ec.message());
      else
        fail(out, Failure::Network, "TLS handshake with " + origin.host_header() + " failed: " + ec.message());
      co_return false;
    }
  }
  connected = true;
  co_return true;
}

// Reads a body of exactly `length` bytes after its header: first what the header read left in
// `buffer`, then the rest from the stream into place. A short read fails like the parser's
// would (end_of_stream / partial message); the stream's deadline bounds the whole read.
template <class Stream, class Token>
net::awaitable<void> Connection::Impl::read_sized_body(Stream& stream, size_t length,
                                                       std::string& body, Token token) {
  if (bodies) body = bodies->take();
  body.reserve(length + kPadding);
  size_t buffered = std::min(buffer.size(), length);
  body.assign(static_cast<const char*>(buffer.data().data()), buffered);
  buffer.consume(buffered);
  body.resize(length);
  if (buffered == length) co_return;
  size_t got = co_await net::async_read(stream, net::buffer(body.data() + buffered, length - buffered), token);
  body.resize(buffered + got);
}

namespace {

void fail_write(Outcome& out, const beast::error_code& ec) {
  out.nothing_received = true;
  if (ec == beast::error::timeout)
    fail(out, Failure::Timeout, "request timeout while sending");
  else
    fail(out, Failure::Network, "connection lost while sending: " + ec.message());
}

}  // namespace

// Writes the header, then the body's parts one after another; a file part is read in 256 KB
// chunks, so memory stays flat whatever its size. The stream's deadline is already set.
template <class Stream>
net::awaitable<bool> Connection::Impl::write_streamed(Stream& stream, const HttpRequest& request, Outcome& out) {
  beast::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  http::request<http::empty_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, origin.host_header());
  req.set(http::field::user_agent, "ccetl/0.1");
  req.set(http::field::accept, "application/json, text/csv;q=0.9, */*;q=0.1");
  req.set(http::field::content_type, request.content_type);
  req.content_length(request.body.size() + request.body_view.size() + request.body_file_size +
                     request.body_suffix.size());
  req.keep_alive(true);
  http::request_serializer<http::empty_body> serializer{req};
  size_t written = co_await http::async_write_header(stream, serializer, token);
  out.request_written = written > 0 || !ec;
  if (ec) {
    fail_write(out, ec);
    co_return false;
  }
  auto write = [&](const char* data, size_t size) -> net::awaitable<bool> {
    if (size == 0) co_return true;
    co_await net::async_write(stream, net::buffer(data, size), token);
    if (ec) fail_write(out, ec);
    co_return !ec;
  };
  if (!(co_await write(request.body.data(), request.body.size()))) co_return false;
  if (!(co_await write(request.body_view.data(), request.body_view.size()))) co_return false;
  if (!request.body_file.empty()) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(request.body_file.c_str(), "rb"), &std::fclose);
    std::vector<char> chunk(256 * 1024);
    uint64_t left = request.body_file_size;
    while (left > 0) {
      size_t got = file ? std::fread(chunk.data(), 1, std::min<uint64_t>(left, chunk.size()), file.get()) : 0;
      if (got == 0) {
        // The server has part of the body and will not see the rest: it cannot accept it.
        fail(out, Failure::Network, "reading " + request.body_file + " failed while sending it");
        co_return false;
      }
      if (!(co_await write(chunk.data(), got))) co_return false;
      left -= got;
    }
  }
  co_return co_await write(request.body_suffix.data(), request.body_suffix.size());
}

template <class Stream>
net::awaitable<void> Connection::Impl::transfer(Stream& stream, const HttpRequest& request,
                                                Limits limits, Clock::time_point deadline,
                                                Outcome& out) {
  beast::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);

  lowest().expires_at(deadline);
  if (request.streamed) {
    bool sent = co_await write_streamed(stream, request, out);
    if (!sent) co_return;
  } else {
    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    req.set(http::field::host, origin.host_header());
    req.set(http::field::user_agent, "ccetl/0.1");
    req.set(http::field::accept, "application/json, text/csv;q=0.9, */*;q=0.1");
    if (!request.content_type.empty()) {
      req.set(http::field::content_type, request.content_type);
      req.body() = request.body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    size_t written = co_await http::async_write(stream, req, token);
    out.request_written = written > 0 || !ec;
    if (ec) {
      fail_write(out, ec);
      co_return;
    }
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.body_limit);
  std::string body;
  bool body_read_directly = false;
  co_await http::async_read_header(stream, buffer, parser, token);
  if (!ec) {
    auto length = parser.content_length();
    if (length && *length > limits.body_limit) {
      ec = http::error::body_limit;
    } else if (length && !parser.is_done()) {
      // A sized body is read straight into its final string in one composed read, instead of
      // through Beast's parser, which copies it from flat_buffer in 512-byte read_some steps
      // (half of the client's CPU on a 2.5 MB page).
      body_read_directly = true;
      co_await read_sized_body(stream, static_cast<size_t>(*length), body, token);
    } else {
      co_await http::async_read(stream, buffer, parser, token);
    }
  }
  if (ec) {
    out.nothing_received = !parser.got_some();
    if (ec == beast::error::timeout)
      fail(out, Failure::Timeout, "request timeout after " + std::to_string(limits.request_timeout.count()) + " ms");
    else if (ec == http::error::body_limit)
      fail(out, Failure::TooLarge, "response body larger than the body limit of " +
                                       std::to_string(limits.body_limit) + " bytes");
    else if (ec == http::error::partial_message ||
             (parser.is_header_done() && is_connection_loss(ec)))
      fail(out, Failure::Truncated, "response body truncated (" + ec.message() + ")");
    else if (is_connection_loss(ec))
      fail(out, Failure::Network, "connection closed before the answer: " + ec.message());
    else
      fail(out, Failure::Network, "bad HTTP answer: " + ec.message());
    co_return;
  }

  auto& res = parser.get();
  HttpReply& reply = out.reply;
  reply.status = static_cast<int>(res.result_int());
  reply.reason = std::string(http::obsolete_reason(res.result()));
  reply.content_type = std::string(res[http::field::content_type]);
  reply.rate_remaining = std::string(res["X-Rate-Limit-Remaining"]);
  reply.rate_reset = std::string(res["X-Rate-Limit-Reset"]);
  reply.retry_after = std::string(res[http::field::retry_after]);
  reply.keep_alive = res.keep_alive();
  reply.body = body_read_directly ? std::move(body) : std::move(res.body());
  if (reply.body.capacity() < reply.body.size() + kPadding) reply.body.reserve(reply.body.size() + kPadding);
}

net::awaitable<void> Connection::Impl::run(const HttpRequest& request, Limits limits,
                                           Clock::time_point deadline, Outcome& out) {
  out.reused = connected;
  if (!connected) {
    // Kept out of a short-circuit condition: g++ 12 miscompiles co_await inside `&&`.
    bool ok = co_await connect(limits, deadline, out);
    if (!ok) co_return;
  }
  if (secure)
    co_await transfer(*secure, request, limits, deadline, out);
  else
    co_await transfer(*plain, request, limits, deadline, out);
}

Connection::Connection(Url origin, std::shared_ptr<TlsContext> tls, BodyPool* bodies, std::optional<Proxy> proxy)
    : impl_(std::make_unique<Impl>()) {
  impl_->origin = std::move(origin);
  impl_->proxy = std::move(proxy);
  impl_->tls = std::move(tls);
  impl_->bodies = bodies;
}

Connection::~Connection() { impl_->close(); }

bool Connection::is_open() const { return impl_->connected; }

Outcome Connection::exchange(const HttpRequest& request, const Limits& limits) {
  Impl& c = *impl_;
  Outcome out;
  auto deadline = Clock::now() + limits.request_timeout;
  bool done = false;
  c.stopping = false;
  c.ioc.restart();
  net::co_spawn(c.ioc, c.run(request, limits, deadline, out), [&](std::exception_ptr e) {
    done = true;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      fail(out, Failure::Network, std::string("HTTP exchange failed: ") + ex.what());
    }
  });
  // Run in short slices so that a cancellation is seen promptly (Asio 1.74 has no
  // per-operation cancellation; closing the sockets completes every pending operation).
  const auto run_end = deadline + kResolveSlack;
  while (!done && Clock::now() < run_end) {
    if (limits.cancel && limits.cancel->cancelled()) {
      c.close_sockets();
      c.ioc.restart();
      c.ioc.run();
      // The drain has run the write's completion: whether any byte of the request left is
      // known and must survive the reset, or a create cut off in flight would count as never
      // sent and go out again on the next run.
      const bool written = out.request_written;
      out = Outcome{};
      out.request_written = written;
      out.cancelled = true;
      fail(out, Failure::Network, "cancelled (shutting down)");
      c.close();
      return out;
    }
    c.ioc.run_until(limits.cancel ? std::min(run_end, Clock::now() + kCancelPoll) : run_end);
  }
  if (!done) {
    // Only name resolution can outlive the stream deadlines: cancel and drain.
    c.close_sockets();
    c.ioc.restart();
    c.ioc.run();
    fail(out, Failure::Timeout, "request timeout after " + std::to_string(limits.request_timeout.count()) + " ms");
  }
  if (out.failure != Failure::None || !out.reply.keep_alive) c.close();
  return out;
}

}  // namespace ccetl::api
