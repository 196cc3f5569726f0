// What one result row sends: the `find` parameter, the JSON body and the attachments, plus its
// ledger key and payload hash.
//
// Body contract: every column except `find` and the attachment columns becomes a body key of
// the same name; a `body:` mapping ("a.b" -> column) places the mapped columns at their paths
// instead (renaming or nesting them). Values keep their SQL type (see json_cell). Macro
// listeners send no body at all. Key columns are body columns like any other (alias them in SQL
// or map them if they must not be sent).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "push/attachments.h"
#include "push/typed_query.h"

namespace ccetl::push {

struct AttachmentSet {
  std::string element_key;  // the feedback type's file element key
  std::vector<Attachment> files;
};

struct PushRow {
  size_t index = 0;                   // 0-based row number in the query result
  std::string row_key;                // ledger key: the key columns as a JSON array
  std::optional<std::string> find;    // the `find` column's value
  std::string body;                   // JSON; empty for macro listeners
  std::vector<AttachmentSet> attachments;
  std::string payload_hash;           // SHA-256 of the canonical payload, attachments' hashes included
  std::string error;                  // set when the row cannot be sent (bad attachment, missing field)
};

// Checks the query's columns against the spec once: key and mapped columns exist, a `find`
// column is present for listeners. Throws Error(Config) listing what is wrong.
void check_columns(const PushSpec& spec, const TypedResult& result);

// The ledger key of row `index` from the key columns alone (without building the row): a JSON
// array of their values. "" when the job has no key columns (the payload identifies the row).
std::string row_key_of(const PushSpec& spec, const TypedResult& result, size_t index);

// Builds one row. Never throws for a problem of the row itself: it is put in `error`. Decoded
// bytea attachment cells are moved into the row (attachments_from_cell): build a row once.
PushRow build_row(const PushSpec& spec, TypedResult& result, size_t index);

// True for targets that may be sent again without a second effect (data listeners overwrite
// the same values). Everything else creates something or runs a macro, so a request whose
// outcome is unknown must not be repeated blindly.
bool is_idempotent(PushTargetKind kind);

}  // namespace ccetl::push
