#include <utility>

#include "api/test_server.h"

#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace ccetl::testing {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

TestCert::TestCert() {
  char tmpl[] = "/tmp/ccetl-api-cert-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir = tmpl;
  cert_file = dir + "/cert.pem";
  key_file = dir + "/key.pem";
  std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                    "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
                    key_file + " -out " + cert_file + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
}

TestCert::~TestCert() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

struct TestServer::Impl {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<ssl::context> tls;
};

TestServer::TestServer(const TestCert* cert) : impl_(std::make_unique<Impl>()) {
  if (cert) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(cert->cert_file);
    impl_->tls->use_private_key_file(cert->key_file, ssl::context::pem);
  }
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(64);
  port_ = impl_->acceptor.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  stopping_ = true;
  {
    // Wake accept() with a connection of our own.
    net::io_context ioc;
    tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  }
  acceptor_thread_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::string TestServer::base_url(const std::string& host) const {
  return std::string(impl_->tls ? "https" : "http") + "://" + host + ":" + std::to_string(port_) + "/api/v1";
}

void TestServer::script(std::vector<Reply> replies) {
  std::lock_guard lock(mutex_);
  for (auto& r : replies) script_.push_back(std::move(r));
}

void TestServer::set_handler(std::function<Reply(const SeenRequest&)> handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<SeenRequest> TestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

Reply TestServer::next_reply(const SeenRequest& request) {
  std::function<Reply(const SeenRequest&)> handler;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (!script_.empty()) {
      Reply r = std::move(script_.front());
      script_.pop_front();
      return r;
    }
    handler = handler_;
  }
  return handler ? handler(request) : Reply{};
}

void TestServer::wait_for_stop(std::chrono::milliseconds at_most) {
  std::unique_lock lock(mutex_);
  stop_cv_.wait_for(lock, at_most, [this] { return stopping_.load(); });
}

void TestServer::accept_loop() {
  for (;;) {
    auto socket = std::make_shared<tcp::socket>(impl_->ioc);
    boost::system::error_code ec;
    impl_->acceptor.accept(*socket, ec);
    if (stopping_ || ec) return;
    int n = ++connections_;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(socket->native_handle());
    threads_.emplace_back([this, n, socket] { serve(n, socket); });
  }
}

namespace {

std::string reason_of(int status) {
  return std::string(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status))));
}

std::string head_of(const Reply& r, size_t content_length) {
  std::string h = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_of(r.status) + "\r\n";
  if (!r.content_type.empty()) h += "Content-Type: " + r.content_type + "\r\n";
  if (r.chunked)
    h += "Transfer-Encoding: chunked\r\n";
  else
    h += "Content-Length: " + std::to_string(content_length) + "\r\n";
  for (auto& [k, v] : r.headers) h += k + ": " + v + "\r\n";
  if (r.close) h += "Connection: close\r\n";
  return h + "\r\n";
}

template <class Stream>
bool write_all(Stream& s, const std::string& data) {
  boost::system::error_code ec;
  net::write(s, net::buffer(data), ec);
  return !ec;
}

void hard_reset(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.set_option(net::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

}  // namespace

template <class Stream>
static void serve_stream(Stream& stream, tcp::socket& socket, int n, TestServer& server,
                         const std::function<Reply(const SeenRequest&)>& next,
                         const std::function<void(std::chrono::milliseconds)>& wait_stop,
                         const std::atomic<bool>& stopping) {
  beast::flat_buffer buffer;
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) return;
    auto& req = parser.get();
    SeenRequest seen;
    seen.method = std::string(req.method_string());
    seen.target = std::string(req.target());
    seen.content_type = std::string(req[http::field::content_type]);
    seen.body = req.body();
    seen.connection = n;
    seen.arrived = std::chrono::steady_clock::now();
    Reply r = next(seen);
    if (r.delay.count() > 0) wait_stop(r.delay);
    switch (r.kind) {
      case Reply::Kind::Hang:
        wait_stop(std::chrono::seconds(30));
        return;
      case Reply::Kind::CloseWithoutAnswer:
        return;
      case Reply::Kind::ResetMidBody:
        write_all(stream, head_of(r, r.body.size()) + r.body.substr(0, r.body.size() / 2));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        hard_reset(socket);
        return;
      case Reply::Kind::Truncate:
        write_all(stream, head_of(r, r.body.size() + 100) + r.body);
        return;
      case Reply::Kind::Respond: {
        std::string out = head_of(r, r.body.size());
        if (r.chunked) {
          size_t half = r.body.size() / 2;
          auto chunk = [](std::string_view c) {
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", c.size());
            return std::string(size) + std::string(c) + "\r\n";
          };
          if (half) out += chunk(std::string_view(r.body).substr(0, half));
          if (r.body.size() > half) out += chunk(std::string_view(r.body).substr(half));
          out += "0\r\n\r\n";
        } else {
          out += r.body;
        }
        if (!write_all(stream, out) || r.close) return;
        break;
      }
    }
  }
  (void)server;
}

void TestServer::serve(int n, std::shared_ptr<void> opaque) {
  auto socket = std::static_pointer_cast<tcp::socket>(opaque);
  const int fd = socket->native_handle();  // before a hard reset closes it
  auto next = [this](const SeenRequest& r) { return next_reply(r); };
  auto wait_stop = [this](std::chrono::milliseconds d) { wait_for_stop(d); };
  if (impl_->tls) {
    ssl::stream<tcp::socket&> stream(*socket, *impl_->tls);
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) serve_stream(stream, *socket, n, *this, next, wait_stop, stopping_);
  } else {
    serve_stream(*socket, *socket, n, *this, next, wait_stop, stopping_);
  }
  std::lock_guard lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  boost::system::error_code ec;
  socket->close(ec);
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("SilentListener: cannot listen");
  port_ = ntohs(addr.sin_port);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ccetl::testing
