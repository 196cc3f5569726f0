#include "daemon/http_endpoint.h"

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
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
  asio::thread_pool page_thread{1};  // destroyed before io: its jobs hold streams of io
  std::atomic<int> pages_queued{0};

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
      if (is_page(*request) && pages_queued < kMaxQueuedPages) {
        ++pages_queued;
        asio::post(page_thread, [this, stream, request] {
          auto response = std::make_shared<http::response<http::string_body>>(answer_page(*request));
          --pages_queued;
          bool head = request->method() == http::verb::head;
          asio::post(io, [stream, response, head] { write(stream, response, head); });
        });
        return;
      }
      write(stream, std::make_shared<http::response<http::string_body>>(answer(*request)),
            request->method() == http::verb::head);
    });
  }

  // A HEAD answer keeps the GET answer's headers (Content-Length included) without its body.
  static void write(std::shared_ptr<beast::tcp_stream> stream,
                    std::shared_ptr<http::response<http::string_body>> response, bool head) {
    if (head) response->body().clear();
    stream->expires_after(std::chrono::seconds(10));  // a page may have taken a while to build
    http::async_write(*stream, *response, [stream, response](beast::error_code, size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  static std::string path_of(const http::request<http::string_body>& req) {
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    return target;
  }

  bool is_page(const http::request<http::string_body>& req) const {
    if (!handlers.page || (req.method() != http::verb::get && req.method() != http::verb::head)) return false;
    std::string path = path_of(req);
    return path != "/metrics" && path != "/healthz" && path != "/readyz";
  }

  // On the page thread. A handler that throws answers 500 rather than ending the thread.
  http::response<http::string_body> answer_page(const http::request<http::string_body>& req) {
    std::optional<HttpPage> page;
    std::string failure;
    try {
      page = handlers.page(path_of(req));
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!page) {
      http::response<http::string_body> res{http::status::not_found, req.version()};
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.keep_alive(false);
      res.body() = "not found: try /, /metrics, /healthz or /readyz\n";
      if (!failure.empty()) {
        res.result(http::status::internal_server_error);
        res.body() = "internal error\n";
      }
      res.prepare_payload();
      return res;
    }
    http::response<http::string_body> res{static_cast<http::status>(page->status), req.version()};
    res.set(http::field::content_type, page->content_type);
    for (const auto& [name, value] : page->headers) res.set(name, value);
    res.keep_alive(false);
    res.body() = std::move(page->body);
    res.prepare_payload();
    return res;
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
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
    } else if (is_page(req)) {
      res.result(http::status::service_unavailable);  // more than kMaxQueuedPages waiting
      res.set(http::field::retry_after, "5");
      res.body() = "busy: too many page requests waiting, retry shortly\n";
    } else {
      res.result(http::status::not_found);
      res.body() = "not found: try /, /metrics, /healthz or /readyz\n";
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
  impl_->page_thread.join();  // a page in progress ends within its statement timeout
}

int HttpEndpoint::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace ccetl
