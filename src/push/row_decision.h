// What the ledger says about a row this run: send it, skip it, or flag it.
#pragma once

#include <string>

#include "config/config.h"
#include "push/ledger.h"
#include "push/payload.h"

namespace ccetl::push {

enum class RowAction {
  Send,
  Skip,         // already sent (once), unchanged (on_change), or unknown and not safely repeatable
  MarkUnknown,  // an `intent` left by a run that died between send and record
  Resume,       // a queued operation whose status was never followed to the end
  ResumeUploads,  // a created feedback whose attachment uploads are not all done
};

struct RowDecision {
  RowAction action = RowAction::Send;
  std::string reason;  // for Skip / MarkUnknown: why (Skip with a reason is reported as a warning)
  bool warn = false;   // report `reason` in the outcome's messages
};

// `entry` is null when the ledger has no row for the key. Failed rows are always sent again;
// intent/unknown rows only for idempotent targets (data listeners).
RowDecision decide_row(const PushSpec& spec, const LedgerEntry* entry, const PushRow& row);

}  // namespace ccetl::push
