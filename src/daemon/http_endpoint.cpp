#include "daemon/http_endpoint.h"

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "core/error.h"

namespace ccetl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpEndpoint::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  HttpEndpointHandlers handlers;
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<beast::tcp_stream>(std::move(socket)));
      accept();
    });
  }

  void serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    stream->expires_after(std::chrono::seconds(10));
    http::async_read(*stream, *buffer, *request, [this, stream, buffer, request](beast::error_code ec, size_t) {
      if (ec) return;
      auto response = std::make_shared<http::response<http::string_body>>(answer(*request));
      http::async_write(*stream, *response, [stream, response](beast::error_code, size_t) {
        beast::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
    });
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.body() = "method not allowed\n";
    } else if (target == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = handlers.metrics ? handlers.metrics() : "";
    } else if (target == "/healthz") {
      auto [healthy, text] = handlers.health ? handlers.health() : std::pair<bool, std::string>{true, "ok"};
      res.result(healthy ? http::status::ok : http::status::service_unavailable);
      res.body() = text + "\n";
    } else if (target == "/readyz") {
      bool ready = handlers.ready && handlers.ready();
      res.result(ready ? http::status::ok : http::status::service_unavailable);
      res.body() = ready ? "ready\n" : "not ready\n";
    } else {
      res.result(http::status::not_found);
      res.body() = "not found: try /metrics, /healthz or /readyz\n";
    }
    res.prepare_payload();
    return res;
  }
};

HttpEndpoint::HttpEndpoint(const std::string& listen, HttpEndpointHandlers handlers) : impl_(std::make_unique<Impl>()) {
  impl_->handlers = std::move(handlers);
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw Error(ErrorKind::Config, "daemon.listen must be HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    tcp::endpoint endpoint(asio::ip::make_address(host), static_cast<unsigned short>(std::stoi(listen.substr(colon + 1))));
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
  } catch (const std::exception& e) {
    throw Error(ErrorKind::Config, "daemon.listen " + listen + ": cannot listen: " + e.what());
  }
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

HttpEndpoint::~HttpEndpoint() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpEndpoint::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace ccetl
