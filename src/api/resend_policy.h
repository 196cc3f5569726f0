// Whether the client may send a request again after an attempt that did not succeed. Retries
// are a property of the request: a request that creates or triggers something (non-idempotent)
// is sent at most once unless it provably never reached the API.
#pragma once

namespace ccetl::api {

// How one attempt ended, as far as a resend decision needs to know.
enum class AttemptEnd {
  NotWritten,   // connect or TLS handshake failed: no byte of the request left the client
  NoAnswer,     // written (maybe partly), then a timeout, reset, close or truncated answer
  ServerError,  // 5xx or 408: the server may have acted before failing
  Throttled,    // 429: the API refused the request without acting on it
};

// Idempotent requests (GET, data listeners) are retried after any of these. Non-idempotent ones
// only after NotWritten or Throttled: after NoAnswer or ServerError the request may have been
// applied, and sending it again could create a second feedback, release, comment or import.
constexpr bool may_resend(bool idempotent, AttemptEnd end) {
  return idempotent || end == AttemptEnd::NotWritten || end == AttemptEnd::Throttled;
}

}  // namespace ccetl::api
