// Sends one row to its target: the request the API reference documents for it, plus, for
// feedback, the attachment uploads to the file elements the creation returned.
#pragma once

#include <string>
#include <vector>

#include "api/api_error.h"
#include "api/client.h"
#include "config/config.h"
#include "push/ledger.h"
#include "push/payload.h"
#include "push/response_json.h"

namespace ccetl::push {

struct SendOutcome {
  LedgerResult ledger;                // what to record
  bool ok = false;                    // accepted (an async status may still be outstanding)
  bool awaits_status = false;         // macro listener / user import: poll ledger.status_endpoint
  std::vector<std::string> warnings;
  // Feedback with attachments: state `sent` and the created feedback's file elements; the
  // caller plans and runs the uploads (push/feedback_uploads.h).
  std::vector<FileElementInfo> file_elements;
};

// The ledger state of a request that did not succeed: `failed` when the target is idempotent or
// the API provably did not act on it (a 4xx answer, never written: `error` without
// maybe_applied); `unknown` otherwise, including any error that is not an ApiError (null), such
// as a run stopped while the request was in flight.
std::string outcome_state(bool idempotent, const ApiError* error);
// The error recorded for a failed request: the API's description for a refusal; the whole
// message (method, masked URL, what happened) for an unknown outcome.
std::string describe_failure(const ApiError& e, const std::string& state);

// The request line of a row: method and path relative to the base URL (never the key).
std::string target_path(const PushSpec& spec, const PushRow& row);

// Sends `row`'s one request (the feedback's creation, not its uploads). Never throws for the
// API's answers: a refusal becomes state failed with the API's description; a request of a
// non-idempotent target that may have been applied (timeout, reset, 5xx, stopped run) becomes
// unknown.
SendOutcome send_row(ApiClient& client, const PushSpec& spec, const std::string& api_key, const PushRow& row);

}  // namespace ccetl::push
