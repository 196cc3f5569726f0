// One kept-alive HTTP(S) connection to the API's origin and one request/response exchange on
// it. All of Beast/Asio/OpenSSL stays in connection.cpp; the client's retry loop sees only the
// outcome below.
//
// Not thread-safe: a connection is used by one thread at a time (the client's pool hands each
// caller its own). Every exchange runs the connection's private io_context on the calling
// thread, bounded by the connect and request timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/proxy.h"
#include "api/url.h"
#include "core/cancel.h"

namespace ccetl::api {

// The client's TLS settings (system trust store plus an optional extra anchor). Shared by all
// connections of a client.
class TlsContext;
// Throws Error(Config) when `ca_file` (if non-empty) cannot be loaded.
std::shared_ptr<TlsContext> make_tls_context(const std::string& ca_file);

struct HttpRequest {
  const char* method = "GET";  // "GET" or "POST"
  std::string target;          // path and query, apiKey included
  std::string content_type;    // empty for no body
  std::string body;            // the body; when `streamed`, only its first part
  // A streamed body (uploads): `body`, then `body_view` (bytes the caller owns and keeps alive)
  // or `body_file_size` bytes of the file `body_file` read in chunks while sending, then
  // `body_suffix`. Nothing is copied into one buffer, so a large file is never held in memory.
  bool streamed = false;
  std::string_view body_view;
  std::string body_file;
  uint64_t body_file_size = 0;
  std::string body_suffix;
  // A request that creates or triggers something: never sent on a connection kept alive from an
  // earlier exchange (the server may have closed it meanwhile, and a failure after writing could
  // not be told apart from one before), and never resent once written (api/resend_policy.h).
  bool idempotent = true;
};

struct HttpReply {
  int status = 0;
  std::string reason;        // the standard phrase for `status` (not the server's text)
  std::string content_type;  // raw Content-Type header
  std::string body;          // capacity >= size + 64
  std::string rate_remaining;  // X-Rate-Limit-Remaining, raw
  std::string rate_reset;      // X-Rate-Limit-Reset, raw
  std::string retry_after;     // Retry-After, raw
  bool keep_alive = true;
};

enum class Failure {
  None,
  Timeout,    // connect or whole-request deadline passed
  Network,    // resolve/connect failure, reset, closed before the answer
  Truncated,  // body ended before Content-Length (or chunk end)
  TlsVerify,  // certificate or host name not trusted (permanent)
  Tls,        // other TLS handshake failure, e.g. not a TLS server (permanent)
  TooLarge,   // body over body_limit (permanent)
  Proxy,      // the HTTPS proxy refused the tunnel, e.g. 407 (permanent; api/proxy_tunnel.h)
};

struct Outcome {
  Failure failure = Failure::None;
  std::string cause;  // human-readable, never contains the target (callers print a masked URL)
  HttpReply reply;
  bool reused = false;  // the exchange ran on a connection kept alive from an earlier one
  bool nothing_received = false;  // failed before any byte of an answer arrived
  bool cancelled = false;  // aborted by Limits::cancel (the request may have reached the server)
  // Some byte of the request may have reached the server. False only when the exchange failed
  // while connecting (resolve, TCP connect, TLS handshake) or the write sent nothing at all.
  bool request_written = false;
};

struct Limits {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  size_t body_limit = 256u << 20;
  // When set, a cancellation aborts the exchange within ~kCancelPoll: the sockets are closed and
  // the outcome is Failure::Network with `cancelled` set.
  const CancelToken* cancel = nullptr;
};

class BodyPool;

class Connection {
 public:
  // `tls` is null for plain http. Sized bodies are read into buffers taken from `bodies` when
  // given (it must outlive the connection). With `proxy`, the connection is a CONNECT tunnel
  // through it (https origins only); TLS still verifies the origin.
  Connection(Url origin, std::shared_ptr<TlsContext> tls, BodyPool* bodies = nullptr,
             std::optional<Proxy> proxy = std::nullopt);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects first if needed. After a failure, or an answer that does not keep the connection
  // alive, the connection is closed; the next exchange reconnects.
  Outcome exchange(const HttpRequest& request, const Limits& limits);
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccetl::api
