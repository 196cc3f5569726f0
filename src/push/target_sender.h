// Sends one row to its target: the request the API reference documents for it, plus, for
// feedback, the attachment uploads to the file elements the creation returned.
#pragma once

#include <string>
#include <vector>

#include "api/client.h"
#include "config/config.h"
#include "push/ledger.h"
#include "push/payload.h"

namespace ccetl::push {

struct SendOutcome {
  LedgerResult ledger;                // what to record
  bool ok = false;                    // accepted (an async status may still be outstanding)
  bool awaits_status = false;         // macro listener / user import: poll ledger.status_endpoint
  std::vector<std::string> warnings;  // e.g. extra files for a single-attachment element
};

// The request line of a row: method and path relative to the base URL (never the key).
std::string target_path(const PushSpec& spec, const PushRow& row);

// Sends `row`. Never throws for the API's answers: a refusal becomes state failed with the
// API's description; no answer at all for a non-idempotent target becomes unknown (it may have
// been applied). Feedback attachments: a file element that accepts a single attachment gets
// the first file only, with a warning; an upload that fails leaves the row `sent` (the feedback
// exists, so it is never created again) with the error recorded and ok = false.
SendOutcome send_row(ApiClient& client, const PushSpec& spec, const std::string& api_key, const PushRow& row);

}  // namespace ccetl::push
