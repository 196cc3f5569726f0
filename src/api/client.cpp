// The client's policy layer: origin checks, apiKey handling and redaction, the connection pool,
// rate pacing, the retry loop and stats. The wire work happens in connection.cpp.
#include "api/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "api/api_error.h"
#include "api/body_pool.h"
#include "api/connection.h"
#include "api/endpoints.h"
#include "api/error_body.h"
#include "api/rate_limiter.h"
#include "api/resend_policy.h"
#include "api/retry_policy.h"
#include "api/url.h"
#include "core/error.h"
#include "core/redact.h"

namespace ccetl {
namespace {

using api::Failure;
using SteadyClock = std::chrono::steady_clock;

constexpr size_t kPadding = 64;  // SIMDJSON_PADDING
constexpr size_t kMaxIdleConnections = 16;
// A Reset far in the future (clock skew, odd windows) must not stall an endpoint for long.
constexpr auto kMaxRemainingHold = std::chrono::seconds(5);

// Masks the key in any text: as apiKey= parameter, verbatim, and percent-encoded.
std::string scrub(std::string_view text, std::string_view key) {
  std::string out = redact(text, key);
  std::string encoded = endpoints::url_encode(key);
  if (encoded != key) out = redact(out, encoded);
  return out;
}

std::string media_type(std::string_view content_type) {
  auto end = content_type.find(';');
  std::string_view m = content_type.substr(0, end);
  while (!m.empty() && (m.front() == ' ' || m.front() == '\t')) m.remove_prefix(1);
  while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.remove_suffix(1);
  std::string out(m);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Wall-clock Reset time → steady time point, clamped to [now, now + cap].
SteadyClock::time_point steady_from_reset(std::chrono::system_clock::time_point reset,
                                          SteadyClock::duration cap) {
  auto delta = reset - std::chrono::system_clock::now();
  auto wait = std::clamp<SteadyClock::duration>(
      std::chrono::duration_cast<SteadyClock::duration>(delta), SteadyClock::duration::zero(), cap);
  return SteadyClock::now() + wait;
}

std::string_view failure_name(Failure f) {
  switch (f) {
    case Failure::None: return "ok";
    case Failure::Timeout: return "timeout";
    case Failure::Network: return "network error";
    case Failure::Truncated: return "truncated body";
    case Failure::TlsVerify: return "TLS verify failure";
    case Failure::Tls: return "TLS failure";
    case Failure::TooLarge: return "body too large";
    case Failure::Proxy: return "proxy refusal";
  }
  return "failure";
}

class HttpApiClient final : public ApiClient {
 public:
  HttpApiClient(const ClientOptions& options, api::Url base, std::shared_ptr<api::TlsContext> tls)
      : options_(options),
        base_(std::move(base)),
        tls_(std::move(tls)),
        limiter_(options.rate_limit),
        rng_(std::random_device{}()) {
    limits_.connect_timeout = options.connect_timeout;
    limits_.request_timeout = options.request_timeout;
    limits_.body_limit = options.body_limit;
    limits_.cancel = options.cancel;
  }

  Response get(const std::string& path, const std::string& api_key) override {
    return perform("GET", relative(path), api_key, {}, {});
  }
  Response post_json(const std::string& path, const std::string& api_key, const std::string& json_body,
                     Idempotency idempotency) override {
    return perform("POST", relative(path), api_key, "application/json", json_body,
                   idempotency == Idempotency::Idempotent);
  }
  Response post_file(const std::string& path, const std::string& api_key,
                     const std::string& file_name, const std::string& content) override {
    return post_multipart(relative(path), api_key, file_name, content);
  }
  Response get_absolute(const std::string& url, const std::string& api_key) override {
    return perform("GET", absolute(url, api_key), api_key, {}, {});
  }
  Response post_file_absolute(const std::string& url, const std::string& api_key,
                              const std::string& file_name, const std::string& content) override {
    return post_multipart(absolute(url, api_key), api_key, file_name, content);
  }
  Response post_file_absolute_from_disk(const std::string& url, const std::string& api_key,
                                        const std::string& file_name, const std::string& file_path) override {
    return post_multipart(absolute(url, api_key), api_key, file_name, {}, file_path);
  }

  ClientStats stats() const override {
    std::lock_guard lock(stats_mutex_);
    ClientStats s = stats_;
    s.by_status.assign(by_status_.begin(), by_status_.end());
    return s;
  }

 private:
  std::string relative(const std::string& path) const {
    if (path.empty() || path.front() != '/')
      throw Error(ErrorKind::Config, "API path must start with '/': " + mask_api_key_params(path));
    return base_.target + path;
  }

  // Absolute URLs come from API answers; the key may only go back to the configured origin.
  std::string absolute(const std::string& url, const std::string& api_key) const {
    auto parsed = api::parse_url(url);
    if (!parsed)
      throw ApiError(ErrorKind::Permanent, "the API returned an unusable URL: " + scrub(url, api_key),
                          0, "unusable URL")
          .set_maybe_applied(false);
    if (!parsed->same_origin(base_))
      throw ApiError(ErrorKind::Permanent,
                          "refusing to send the API key to " + scrub(parsed->origin(), api_key) +
                              " (URL " + scrub(url, api_key) + "): not the origin of base_url " +
                              base_.origin(),
                          0, "URL outside base_url's origin")
          .set_maybe_applied(false);
    return parsed->target;
  }

  // A multipart/form-data upload with one part "file": `content` (when `file_path` is empty) or
  // the file at `file_path`, streamed between a header part and the closing boundary, never
  // copied into one body.
  Response post_multipart(const std::string& target, const std::string& api_key, const std::string& file_name,
                          std::string_view content, const std::string& file_path = "") {
    api::HttpRequest request;
    request.method = "POST";
    request.streamed = true;
    request.idempotent = false;
    if (!file_path.empty()) {
      std::error_code ec;
      auto size = std::filesystem::file_size(file_path, ec);
      if (ec || !std::filesystem::is_regular_file(file_path, ec))
        throw ApiError(ErrorKind::Permanent, "cannot read upload file " + file_path, 0,
                       "cannot read upload file " + file_path)
            .set_maybe_applied(false);
      request.body_file = file_path;
      request.body_file_size = size;
    } else {
      request.body_view = content;
    }
    // A file's 128 random bits are not checked against its content (it is not read twice).
    std::string boundary;
    do {
      static constexpr char kHex[] = "0123456789abcdef";
      boundary = "ccetl-";
      std::lock_guard lock(rng_mutex_);
      for (int i = 0; i < 32; ++i) boundary.push_back(kHex[rng_() & 0xF]);
    } while (content.find(boundary) != std::string_view::npos);
    // Quotes and line breaks in the name are percent-encoded as browsers do (HTML spec).
    std::string name;
    for (char c : file_name) {
      if (c == '"') name += "%22";
      else if (c == '\r') name += "%0D";
      else if (c == '\n') name += "%0A";
      else name.push_back(c);
    }
    request.body = "--" + boundary + "\r\n";
    request.body += "Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n";
    request.body += "Content-Type: application/octet-stream\r\n\r\n";
    request.body_suffix = "\r\n--" + boundary + "--\r\n";
    request.content_type = "multipart/form-data; boundary=" + boundary;
    return perform(std::move(request), target, api_key);
  }

  void recycle(std::string&& body) override { bodies_.give(std::move(body)); }
  std::string reusable_body() override { return bodies_.take(); }

  // A kept-alive connection for idempotent requests; always a fresh one for the others, so a
  // failure after writing is never a stale connection's (see HttpRequest::idempotent).
  std::unique_ptr<api::Connection> checkout(bool idempotent) {
    if (idempotent) {
      std::lock_guard lock(pool_mutex_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return std::make_unique<api::Connection>(base_, tls_, &bodies_, proxy_);
  }

  void checkin(std::unique_ptr<api::Connection> c) {
    if (!c->is_open()) return;
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(c));
  }

  void count(int status, bool retry, bool throttled) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.requests;
    if (retry) ++stats_.retries;
    if (throttled) ++stats_.throttled;
    if (status) ++by_status_[status];
  }

  std::chrono::milliseconds backoff(int retry) {
    std::lock_guard lock(rng_mutex_);
    return api::backoff_delay(retry, options_.backoff_base, options_.backoff_max, rng_);
  }

  // Applies X-Rate-Limit-Remaining: 0 to the endpoint's budget.
  void note_rate_headers(const std::string& rate_key, const api::HttpReply& reply) {
    auto remaining = api::parse_count(reply.rate_remaining);
    if (!remaining || *remaining > 0) return;
    if (auto reset = api::parse_iso8601_utc(reply.rate_reset))
      limiter_.hold_until(rate_key, steady_from_reset(*reset, kMaxRemainingHold));
  }

  // Throws when a non-idempotent request may not be sent again after this attempt.
  void check_resend(const api::HttpRequest& request, api::AttemptEnd end, const std::string& what,
                    int status, const std::string& cause) {
    if (api::may_resend(request.idempotent, end)) return;
    throw ApiError(ErrorKind::Transient,
                   what + "; not sent again: the request creates or triggers something and may have reached the API",
                   status, cause)
        .set_maybe_applied(true);
  }

  Response perform(const char* method, const std::string& target, const std::string& api_key,
                   const std::string& content_type, std::string body, bool idempotent = true) {
    api::HttpRequest request;
    request.method = method;
    request.idempotent = idempotent;
    request.content_type = content_type;
    request.body = std::move(body);
    return perform(std::move(request), target, api_key);
  }

  // `request` without its target, which is `target` with the key appended here.
  Response perform(api::HttpRequest request, const std::string& target, const std::string& api_key) {
    const char* method = request.method;
    request.target = api::with_api_key(target, api_key);
    const std::string shown = std::string(method) + " " + scrub(base_.origin() + request.target, api_key);
    const std::string rate_key(api::path_of(target));

    std::string last_cause;
    int last_status = 0;
    // A cancelled request: `maybe_applied` tells the push ledger whether the row may already
    // have reached the server (its row ends `unknown`) or provably not (it is sent next run).
    // Before a retry, an earlier attempt of a non-idempotent request was provably not applied
    // (check_resend allowed the retry); an idempotent one may have been, harmlessly.
    auto cancelled = [&](bool maybe_applied) {
      return ApiError(ErrorKind::Transient, shown + " → cancelled (shutting down)", 0, "cancelled")
          .set_maybe_applied(maybe_applied);
    };
    for (int attempt = 1;; ++attempt) {
      if (!limiter_.acquire(rate_key, options_.cancel) || is_cancelled())
        throw cancelled(attempt > 1 && request.idempotent);
      auto conn = checkout(request.idempotent);
      auto started = SteadyClock::now();
      api::Outcome out = conn->exchange(request, limits_);
      if (out.failure != Failure::None && out.reused && out.nothing_received && !out.cancelled && request.idempotent) {
        // The server closed a kept-alive connection while it sat idle: not a failed attempt. The
        // resend is a request like any other and waits for its rate slot.
        spdlog::debug("{} → stale kept-alive connection ({}), reconnecting", shown, scrub(out.cause, api_key));
        if (!limiter_.acquire(rate_key, options_.cancel)) throw cancelled(true);
        conn = std::make_unique<api::Connection>(base_, tls_, &bodies_, proxy_);
        out = conn->exchange(request, limits_);
      }
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
      const int status = out.failure == Failure::None ? out.reply.status : 0;

      std::chrono::milliseconds wait{0};
      if (out.failure != Failure::None) {
        std::string cause = scrub(out.cause, api_key);
        spdlog::debug("{} → {} after {} ms (attempt {}): {}", shown, failure_name(out.failure), ms, attempt, cause);
        count(0, attempt > 1, false);
        if (out.cancelled) throw cancelled(out.request_written);
        if (out.failure == Failure::TlsVerify || out.failure == Failure::Tls || out.failure == Failure::TooLarge ||
            out.failure == Failure::Proxy)
          throw ApiError(ErrorKind::Permanent, shown + " → " + cause, 0, cause).set_maybe_applied(out.request_written);
        last_cause = cause;
        last_status = 0;
        check_resend(request, out.request_written ? api::AttemptEnd::NoAnswer : api::AttemptEnd::NotWritten,
                     shown + " → " + std::string(failure_name(out.failure)) + " after " + std::to_string(ms) +
                         " ms: " + cause,
                     0, cause);
        wait = backoff(attempt);
      } else {
        const api::HttpReply& reply = out.reply;
        spdlog::debug("{} → {} in {} ms (attempt {})", shown, status, ms, attempt);
        note_rate_headers(rate_key, reply);
        auto klass = api::classify_status(status);
        count(status, attempt > 1, klass == api::StatusClass::Throttled);
        checkin(std::move(conn));
        if (klass == api::StatusClass::Success) {
          Response response;
          response.status = status;
          response.content_type = media_type(reply.content_type);
          response.body = std::move(out.reply.body);
          if (response.body.capacity() < response.body.size() + kPadding)
            response.body.reserve(response.body.size() + kPadding);
          response.attempts = attempt;
          return response;
        }
        auto error = api::parse_error_body(reply.body);
        std::string description = scrub(api::describe(error), api_key);
        std::string status_text = std::to_string(status) + " " + reply.reason;
        if (klass == api::StatusClass::Permanent) {
          for (auto& p : error.invalid_parameters) {
            p.name = scrub(p.name, api_key);
            p.description = scrub(p.description, api_key);
          }
          throw ApiError(ErrorKind::Permanent,
                              shown + " → " + status_text + (description.empty() ? "" : ": " + description),
                              status, scrub(error.description, api_key), std::move(error.invalid_parameters))
              .set_maybe_applied(false);  // refused
        }
        last_status = status;
        last_cause = status_text + (description.empty() ? "" : ": " + description);
        if (klass != api::StatusClass::Throttled)
          check_resend(request, api::AttemptEnd::ServerError, shown + " → " + last_cause, status, last_cause);
        wait = backoff(attempt);
        if (klass == api::StatusClass::Throttled) {
          // Wait for the server's window to reset; everyone else calling this endpoint too.
          SteadyClock::time_point until = SteadyClock::now() + wait;
          if (auto reset = api::parse_iso8601_utc(reply.rate_reset))
            until = steady_from_reset(*reset, options_.backoff_max);
          else if (auto seconds = api::parse_count(reply.retry_after))
            until = SteadyClock::now() +
                    std::min<SteadyClock::duration>(std::chrono::seconds(*seconds), options_.backoff_max);
          limiter_.hold_until(rate_key, until);
          wait = std::chrono::milliseconds(0);  // acquire() waits for the hold
        }
      }
      if (attempt >= options_.max_attempts)
        // A non-idempotent request gets here only when every attempt failed before writing or
        // was answered 429: it provably was not applied.
        throw ApiError(ErrorKind::Transient,
                            shown + " failed after " + std::to_string(attempt) +
                                (attempt == 1 ? " attempt: " : " attempts: ") + last_cause,
                            last_status, last_cause)
            .set_maybe_applied(request.idempotent);
      if (wait.count() > 0) {
        if (!options_.cancel)
          std::this_thread::sleep_for(wait);
        else if (!options_.cancel->sleep_for(wait))
          throw cancelled(request.idempotent);
      }
    }
  }

  bool is_cancelled() const { return options_.cancel && options_.cancel->cancelled(); }

  const ClientOptions options_;
  const api::Url base_;  // target holds the base path without trailing '/'
  const std::shared_ptr<api::TlsContext> tls_;
  const std::optional<api::Proxy> proxy_ = api::proxy_for(options_.proxy, options_.proxy_source, options_.no_proxy, base_);
  api::Limits limits_;
  api::RateLimiter limiter_;

  api::BodyPool bodies_{kMaxIdleConnections};  // before idle_: connections point at it
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<api::Connection>> idle_;

  std::mutex rng_mutex_;
  std::mt19937_64 rng_;

  mutable std::mutex stats_mutex_;
  ClientStats stats_;
  std::map<int, int64_t> by_status_;
};

}  // namespace

std::unique_ptr<ApiClient> make_client(const ClientOptions& options) {
  auto base = api::parse_url(options.base_url);
  if (!base || base->target.find('?') != std::string::npos)
    throw Error(ErrorKind::Config, "centercode.base_url '" + mask_api_key_params(options.base_url) +
                                       "' is not an absolute https:// URL without query "
                                       "(e.g. https://company.centercode.com/api/v1)");
  if (base->scheme == "http" && !options.allow_insecure_http)
    throw Error(ErrorKind::Config, "centercode.base_url '" + options.base_url +
                                       "' uses plain http://, which would send the API key unencrypted; "
                                       "use https:// or set centercode.allow_insecure_http: true "
                                       "(test servers only)");
  if (options.max_attempts < 1) throw Error(ErrorKind::Config, "max_attempts must be at least 1");
  while (!base->target.empty() && base->target.back() == '/') base->target.pop_back();
  std::shared_ptr<api::TlsContext> tls;
  if (base->scheme == "https") tls = api::make_tls_context(options.ca_file);
  return std::make_unique<HttpApiClient>(options, std::move(*base), std::move(tls));
}

}  // namespace ccetl
