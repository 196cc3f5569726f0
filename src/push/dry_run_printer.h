// `ccetl run --dry-run` for push jobs: what each row would send. The API key is never part of
// what is printed (paths carry no key; the text is redacted once more on the way out).
#pragma once

#include <cstdio>
#include <string>

#include "config/config.h"
#include "push/payload.h"

namespace ccetl::push {

// Prints e.g.
//   would send row ["42"]: POST /projects/WidgetPro/feedback/Mobile (apiKey=***)
//     body: {"description":"...","submitter":"..."}
//     attachment Screenshot: screenshot.png (12345 bytes)
void print_would_send(std::FILE* out, const PushSpec& spec, const PushRow& row, const std::string& api_key);

// One line for a row the ledger (or its own problem) keeps from being sent.
void print_skip(std::FILE* out, const PushRow& row, const std::string& reason, const std::string& api_key);

}  // namespace ccetl::push
