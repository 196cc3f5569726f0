#include "sim/server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "core/error.h"
#include "core/redact.h"
#include "sim/admin_handler.h"
#include "sim/api_handler.h"
#include "sim/multipart.h"
#include "sim/rate_limiter.h"

namespace ccetl::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr size_t kChunk = 64 * 1024;
constexpr uint64_t kDrainLimit = 16ULL << 20;  // bytes read past the upload limit before closing

// Blocking Asio reads ignore SO_RCVTIMEO (they poll again on EAGAIN), so deadlines are kept
// by polling the descriptor before a read. Returns false on timeout.
bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

bool has_buffered(tcp::socket&) { return false; }
// The TLS engine reads ahead into its own buffers, which the descriptor cannot show; TLS
// connections therefore skip the idle poll (no idle timeout over TLS).
bool has_buffered(ssl::stream<tcp::socket>&) { return true; }

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(ssl::stream<tcp::socket>& s) { return s.next_layer(); }

std::string serialize_head(const SimResponse& r, size_t content_length, bool keep_alive) {
  std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " +
                  std::string(http::obsolete_reason(static_cast<http::status>(r.status))) + "\r\n";
  h += "Server: centercode-sim\r\n";
  h += "Content-Type: " + r.content_type + (r.content_type.rfind("text/", 0) == 0 ? "; charset=utf-8" : "") + "\r\n";
  for (const auto& [k, v] : r.headers) h += k + ": " + v + "\r\n";
  h += "Content-Length: " + std::to_string(content_length) + "\r\n";
  h += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  h += "\r\n";
  return h;
}

class Connection {
 public:
  Connection(SimState& state, const ServerOptions& opts, bool tls) : state_(state), opts_(opts), tls_(tls) {}

  template <class Stream>
  void serve(Stream& stream, const std::string& client_ip) {
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      // Idle keep-alive connections close after idle_timeout_s.
      if (buffer.size() == 0 && !has_buffered(stream) &&
          !wait_readable(lowest(stream).native_handle(), opts_.idle_timeout_s * 1000))
        return;
      http::request_parser<http::empty_body> head;
      head.header_limit(64 * 1024);
      head.body_limit(std::numeric_limits<uint64_t>::max());
      http::read_header(stream, buffer, head, ec);
      if (ec) return;
      SimRequest req;
      const auto& h = head.get();
      req.method = std::string(h.method_string());
      req.target = std::string(h.target());
      auto q = req.target.find('?');
      req.path = percent_decode(std::string_view(req.target).substr(0, q), false);
      req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
      req.params = parse_query(req.query);
      req.content_type = std::string(h[http::field::content_type]);
      req.host = std::string(h[http::field::host]);
      if (req.host.empty()) req.host = "127.0.0.1";
      req.client_ip = client_ip;
      req.tls = tls_;
      bool keep_alive = head.keep_alive();
      if (beast::iequals(h[http::field::expect], "100-continue")) {
        static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        net::write(stream, net::buffer(kContinue, sizeof kContinue - 1), ec);
        if (ec) return;
      }

      std::unique_ptr<MultipartWriter> upload;
      if (req.method == "POST" && is_upload_path(req.path)) {
        std::string boundary = multipart_boundary(req.content_type);
        if (!boundary.empty()) {
          upload = std::make_unique<MultipartWriter>(boundary, state_.options().upload_dir,
                                                     "upload-" + std::to_string(state_.next_upload_id()));
        }
      }
      if (upload) {
        if (!read_upload(stream, buffer, head, *upload, req)) return;
      } else {
        http::request_parser<http::string_body> full(std::move(head));
        full.body_limit(state_.options().max_body_bytes);
        http::read(stream, buffer, full, ec);
        if (ec == http::error::body_limit) {
          SimResponse r = error_response(400, "The request body is too large.");
          r.close = true;
          write_response(stream, r, false);
          return;
        }
        if (ec) return;
        req.body = std::move(full.get().body());
      }

      RecordedRequest rec;
      rec.method = req.method;
      rec.path = req.path;
      rec.query = mask_api_key_params(req.query);
      rec.content_type = req.content_type;
      rec.body = req.body;
      rec.timestamp = iso8601_ms(std::chrono::system_clock::now());
      if (req.upload) rec.files = req.upload->files;
      bool is_api = req.path.rfind("/api/v1/", 0) == 0;
      SimResponse resp;
      if (is_api) {
        resp = handle_api(state_, req, rec);
      } else if (req.path.rfind("/_sim/", 0) == 0) {
        resp = handle_admin(state_, req);
      } else {
        resp = error_response(404, "The requested resource was not found.");
      }
      if (upload && resp.status != 201) upload->discard();
      rec.status = resp.status;
      if (req.path.rfind("/_sim/", 0) != 0) state_.log().add(std::move(rec));  // admin calls are not recorded
      if (state_.options().verbose) {
        std::fprintf(stderr, "%s %s -> %d\n", req.method.c_str(), mask_api_key_params(req.target).c_str(),
                     resp.status);
      }
      if (resp.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(resp.latency_ms));
      if (resp.close || (req.upload && req.upload->too_large)) keep_alive = false;
      if (!write_response(stream, resp, keep_alive)) return;
      if (!keep_alive) {
        beast::error_code ignored;
        lowest(stream).shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
    }
  }

 private:
  // Streams the body through the multipart writer in kChunk pieces. Past the upload limit
  // nothing is kept and at most kDrainLimit more bytes are read; the answer is an error and
  // the connection closes.
  template <class Stream>
  bool read_upload(Stream& stream, beast::flat_buffer& buffer, http::request_parser<http::empty_body>& head,
                   MultipartWriter& writer, SimRequest& req) {
    http::request_parser<http::buffer_body> p(std::move(head));
    p.body_limit(std::numeric_limits<uint64_t>::max());
    std::vector<char> chunk(kChunk);
    uint64_t total = 0;
    bool ok = true;
    bool too_large = false;
    while (!p.is_done()) {
      p.get().body().data = chunk.data();
      p.get().body().size = chunk.size();
      beast::error_code ec;
      http::read(stream, buffer, p, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        writer.discard();
        return false;
      }
      size_t n = chunk.size() - p.get().body().size;
      total += n;
      if (total > state_.options().max_upload_bytes) {
        // Too large: keep nothing, but drain a bounded remainder so the client can read the
        // answer (closing on unread data would reset the connection under it).
        if (!too_large) writer.discard();
        too_large = true;
        if (total > state_.options().max_upload_bytes + kDrainLimit) break;
        continue;
      }
      if (ok) ok = writer.feed(chunk.data(), n);
    }
    if (too_large) {
      UploadResult r;
      r.too_large = true;
      req.upload = r;
      return true;
    }
    if (ok) writer.finish();
    req.upload = writer.result();
    return true;
  }

  template <class Stream>
  bool write_response(Stream& stream, const SimResponse& r, bool keep_alive) {
    beast::error_code ec;
    if (r.delivery == Delivery::Hang) {
      hang(stream);
      return false;
    }
    if (r.delivery == Delivery::Close) {
      auto& sock = lowest(stream);
      sock.shutdown(tcp::socket::shutdown_both, ec);
      sock.close(ec);
      return false;
    }
    std::string head = serialize_head(r, r.body.size(), keep_alive && r.delivery == Delivery::Normal);
    if (r.delivery == Delivery::Normal) {
      std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(r.body)};
      net::write(stream, bufs, ec);
      return !ec;
    }
    // Truncate / Reset: half the body, then close (FIN) or abort (RST).
    std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(r.body.data(), r.body.size() / 2)};
    net::write(stream, bufs, ec);
    auto& sock = lowest(stream);
    if (r.delivery == Delivery::Reset) {
      sock.set_option(net::socket_base::linger(true, 0), ec);
      sock.close(ec);
    } else {
      sock.shutdown(tcp::socket::shutdown_both, ec);
      sock.close(ec);
    }
    return false;
  }

  // Holds the connection without answering until the client gives up (or hang_max_s).
  template <class Stream>
  void hang(Stream& stream) {
    auto& sock = lowest(stream);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opts_.hang_max_s);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      if (!wait_readable(sock.native_handle(), 200)) continue;
      ssize_t n = ::recv(sock.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) break;  // the client closed (or reset): stop holding
    }
    beast::error_code ignored;
    sock.close(ignored);
  }

  SimState& state_;
  const ServerOptions& opts_;
  bool tls_;
};

}  // namespace

struct Server::Impl {
  SimState& state;
  ServerOptions opts;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<ssl::context> tls;
  Impl(SimState& s, ServerOptions o) : state(s), opts(std::move(o)) {}

  void handle(tcp::socket sock) {
    beast::error_code ec;
    std::string ip = sock.remote_endpoint(ec).address().to_string();
    sock.set_option(tcp::no_delay(true), ec);
    Connection conn(state, opts, tls != nullptr);
    try {
      if (tls) {
        ssl::stream<tcp::socket> stream(std::move(sock), *tls);
        stream.handshake(ssl::stream_base::server, ec);
        if (ec) return;
        conn.serve(stream, ip);
        stream.shutdown(ec);
      } else {
        conn.serve(sock, ip);
      }
    } catch (const std::exception& e) {
      if (state.options().verbose) std::fprintf(stderr, "connection error: %s\n", e.what());
    }
  }
};

Server::Server(SimState& state, ServerOptions options) : impl_(std::make_unique<Impl>(state, std::move(options))) {}
Server::~Server() = default;

uint16_t Server::listen() {
  auto& i = *impl_;
  try {
    if (!i.opts.tls_cert.empty() || !i.opts.tls_key.empty()) {
      i.tls = std::make_unique<ssl::context>(ssl::context::tls_server);
      i.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
      i.tls->use_certificate_chain_file(i.opts.tls_cert);
      i.tls->use_private_key_file(i.opts.tls_key, ssl::context::pem);
    }
    tcp::endpoint ep(net::ip::make_address(i.opts.address), i.opts.port);
    i.acceptor.open(ep.protocol());
    i.acceptor.set_option(net::socket_base::reuse_address(true));
    i.acceptor.bind(ep);
    i.acceptor.listen(net::socket_base::max_listen_connections);
    return i.acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    throw ccetl::Error(ccetl::ErrorKind::Config, std::string("cannot listen: ") + e.what());
  }
}

void Server::run() {
  auto& i = *impl_;
  for (;;) {
    beast::error_code ec;
    tcp::socket sock(i.ioc);
    i.acceptor.accept(sock, ec);
    if (ec) {
      if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    std::thread([impl = impl_.get(), s = std::move(sock)]() mutable { impl->handle(std::move(s)); }).detach();
  }
}

}  // namespace ccetl::sim
