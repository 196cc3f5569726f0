#include "push/row_decision.h"

namespace ccetl::push {

RowDecision decide_row(const PushSpec& spec, const LedgerEntry* entry, const PushRow& row) {
  if (!entry) return {RowAction::Send, "", false};
  const bool repeatable = is_idempotent(spec.kind);
  const std::string& state = entry->state;
  if (state == "failed") return {RowAction::Send, "", false};
  if (state == "intent") {
    if (repeatable) return {RowAction::Send, "", false};
    return {RowAction::MarkUnknown,
            "row " + row.row_key +
                ": a previous run recorded its intent to send but not the result (crash?); it may or may not "
                "have been sent, so it is not sent again. Check Centercode, then `ccetl push retry --key` it to "
                "allow a resend",
            true};
  }
  if (state == "unknown") {
    if (repeatable) return {RowAction::Send, "", false};
    // A created feedback (its key was recorded when the create answered) is unknown because of an
    // upload: those files stay unknown, but the files never started are uploaded, as after a crash.
    if (spec.kind == PushTargetKind::Feedback && !entry->created_key.empty())
      return {RowAction::ResumeUploads, "", false};
    return {RowAction::Skip,
            "row " + row.row_key + ": outcome unknown (" + (entry->error.empty() ? "see ccetl.push_log" : entry->error) +
                "); not sent again until `ccetl push retry` marks it (or --applied records it succeeded)",
            true};
  }
  if (state == "sent" && !entry->status_endpoint.empty() && entry->final_status.empty())
    return {RowAction::Resume, "", false};
  if (state == "sent" && spec.kind == PushTargetKind::Feedback) return {RowAction::ResumeUploads, "", false};
  // sent or succeeded
  if (spec.mode == PushMode::Once) return {RowAction::Skip, "already sent (mode once)", false};
  if (entry->payload_hash == row.payload_hash) return {RowAction::Skip, "unchanged since last sent", false};
  return {RowAction::Send, "", false};
}

}  // namespace ccetl::push
