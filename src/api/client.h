// The Centercode HTTP(S) client: Boost.Beast over Asio, TLS verified, keep-alive connections,
// per-endpoint rate limiting, retries with backoff. Everything Beast stays behind this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cancel.h"

namespace ccetl {

struct ClientOptions {
  std::string base_url;            // e.g. https://company.centercode.com/api/v1
  bool allow_insecure_http = false;  // http:// is refused unless set
  std::string ca_file;             // extra trust anchor; peer and host name always verified
  double rate_limit = 10;          // requests per second per endpoint (the API's documented limit)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // whole request, headers to last body byte
  size_t body_limit = 256u << 20;  // largest response body accepted
  int max_attempts = 6;            // per request, for retryable failures
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{30'000};
  // Shutdown: when cancelled, no new request starts, the one in flight is aborted, and rate
  // limit and backoff waits end at once; the call throws ApiError(Transient) saying
  // "cancelled". Must outlive the client. nullptr: never cancelled.
  const CancelToken* cancel = nullptr;
  // HTTP CONNECT proxy for https:// base URLs (api/proxy.h); empty: connect directly.
  std::string proxy;
  std::string proxy_source = "centercode.proxy";  // where `proxy` came from, for error messages
  std::string no_proxy;  // hosts reached directly even with a proxy (NO_PROXY syntax)
};

// A response as the caller needs it. `body` has SIMDJSON_PADDING (64) spare bytes of capacity
// so that the decoder parses it in place.
struct Response {
  int status = 0;
  std::string content_type;  // media type only, lowercase (e.g. "application/json", "text/csv")
  std::string body;
  int attempts = 1;          // how many tries it took
};

// Whether sending a request twice has the effect of sending it once. GETs and data listeners
// (which set values) are idempotent; feedback, releases, user imports, comment and macro
// listeners and file uploads create or trigger something and are sent at most once.
enum class Idempotency { Idempotent, AtMostOnce };

// Counters the client keeps (metrics, benchmarks, tests).
struct ClientStats {
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t throttled = 0;  // 429 answers received
  std::vector<std::pair<int, int64_t>> by_status;
};

// Thread-safe: any number of threads may issue requests at once; each uses its own connection
// from an internal pool, and all share the rate budget of the endpoint they call.
class ApiClient {
 public:
  virtual ~ApiClient() = default;

  // `path` is relative to base_url and starts with '/', query included but without apiKey
  // (e.g. "/projects/WidgetPro/feedbackDataPackages/FeedbackScores?page=2"); the client appends
  // apiKey itself. The rate budget is keyed by the path without its query.
  // Returns 2xx responses. Retries 429 (waiting for X-Rate-Limit-Reset), 5xx, timeouts, resets
  // and truncated bodies up to max_attempts; then throws Error(Transient). Throws
  // Error(Permanent) at once for other 4xx, carrying the API's `description` and
  // `invalidParameters`. Messages name the URL with the key masked and never contain the key.
  // HTTP and TLS failures are thrown as ccetl::ApiError (api/api_error.h), an Error subclass
  // carrying the status (0 when there was no answer) and the API's description.
  // A 429 or an X-Rate-Limit-Remaining of 0 holds every caller of that endpoint until the
  // X-Rate-Limit-Reset time; requests are paced evenly at just under rate_limit per second.
  //
  // AtMostOnce requests (every POST unless the caller says Idempotent; every upload) are retried
  // only when they provably did not reach the API: the connection or TLS handshake failed
  // before any byte was written, or the answer was 429. They always go out on a fresh
  // connection. After a timeout, reset, truncated answer or 5xx the client throws at once an
  // ApiError with maybe_applied() set (api/api_error.h), saying what happened.
  virtual Response get(const std::string& path, const std::string& api_key) = 0;
  virtual Response post_json(const std::string& path, const std::string& api_key, const std::string& json_body,
                             Idempotency idempotency = Idempotency::AtMostOnce) = 0;
  // multipart/form-data with one part named "file". `content` is the file's bytes. AtMostOnce.
  virtual Response post_file(const std::string& path, const std::string& api_key,
                             const std::string& file_name, const std::string& content) = 0;
  // For status endpoints and file-element URLs that the API returns as absolute URLs: the URL
  // must be on the same host as base_url.
  virtual Response get_absolute(const std::string& url, const std::string& api_key) = 0;
  virtual Response post_file_absolute(const std::string& url, const std::string& api_key,
                                      const std::string& file_name, const std::string& content) = 0;
  // The same for the file at `file_path`, read in chunks while it is sent (a 1 GB file is never
  // held in memory). Throws ApiError(Permanent) when the file cannot be read.
  virtual Response post_file_absolute_from_disk(const std::string& url, const std::string& api_key,
                                                const std::string& file_name, const std::string& file_path) = 0;

  virtual ClientStats stats() const = 0;
  // Hands a response body back once the caller is done with it, so that a later response reuses
  // its buffer (page bodies are megabytes; see api/body_pool.h). Optional.
  virtual void recycle(std::string&& body) { (void)body; }
  // An empty string with the capacity of a recycled body when one is free, for a body the
  // caller fills itself (a page read back from disk), so that it reuses a buffer too. Optional.
  virtual std::string reusable_body() { return {}; }
};

// Throws Error(Config) for a bad base_url, http:// without allow_insecure_http, or a bad ca_file.
std::unique_ptr<ApiClient> make_client(const ClientOptions& options);

}  // namespace ccetl
