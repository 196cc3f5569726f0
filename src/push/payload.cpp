#include "push/payload.h"

#include <set>

#include "core/error.h"
#include "push/json_text.h"
#include "push/sha256.h"

namespace ccetl::push {
namespace {

constexpr const char* kFindColumn = "find";

// Body keys the API reference documents as the request of each target; a row without them is
// failed before sending rather than refused by the API.
std::vector<std::string> required_body_keys(PushTargetKind kind) {
  switch (kind) {
    case PushTargetKind::CommentListener: return {"author", "message"};
    case PushTargetKind::UserImport: return {"email"};
    case PushTargetKind::Feedback: return {"submitter", "summary", "description"};
    default: return {};
  }
}

bool is_listener(PushTargetKind kind) {
  return kind == PushTargetKind::DataListener || kind == PushTargetKind::CommentListener ||
         kind == PushTargetKind::MacroListener;
}

std::set<std::string> attachment_columns(const PushSpec& spec) {
  std::set<std::string> out;
  for (const auto& [element, column] : spec.attachments) out.insert(column);
  return out;
}

}  // namespace

bool is_idempotent(PushTargetKind kind) { return kind == PushTargetKind::DataListener; }

void check_columns(const PushSpec& spec, const TypedResult& result) {
  std::vector<std::string> problems;
  auto need = [&](const std::string& column, const std::string& why) {
    if (result.index_of(column) < 0) problems.push_back(why + " column '" + column + "' is not in the query result");
  };
  for (const auto& k : spec.key) need(k, "key");
  for (const auto& [path, column] : spec.body) need(column, "body." + path);
  for (const auto& [element, column] : spec.attachments) need(column, "attachments." + element);
  if (is_listener(spec.kind)) need(kFindColumn, "listener targets need a");
  if (!problems.empty()) {
    std::string msg = "push query does not fit the job: ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    throw Error(ErrorKind::Config, msg);
  }
}

std::string row_key_of(const PushSpec& spec, const TypedResult& result, size_t index) {
  // A JSON array of the key columns' values (unambiguous however values look).
  if (spec.key.empty()) return "";
  const auto& cells = result.rows[index];
  std::string key = "[";
  for (size_t i = 0; i < spec.key.size(); ++i) {
    const auto& cell = cells[result.index_of(spec.key[i])];
    key += (i ? "," : "") + (cell ? json_string(*cell) : std::string("null"));
  }
  return key + "]";
}

PushRow build_row(const PushSpec& spec, TypedResult& result, size_t index) {
  PushRow row;
  row.index = index;
  auto& cells = result.rows[index];

  // Ledger key; a job without key columns identifies rows by their payload, set below.
  row.row_key = row_key_of(spec, result, index);

  int find_index = result.index_of(kFindColumn);
  if (find_index >= 0) row.find = cells[find_index];

  try {
    if (spec.kind != PushTargetKind::MacroListener) {
      auto skip = attachment_columns(spec);
      skip.insert(kFindColumn);
      std::set<std::string> mapped;
      for (const auto& [path, column] : spec.body) mapped.insert(column);
      JsonObjectBuilder body;
      for (size_t c = 0; c < result.columns.size(); ++c) {
        const auto& col = result.columns[c];
        if (skip.count(col.name) || mapped.count(col.name)) continue;
        body.set(col.name, json_cell(cells[c], col.type_oid));
      }
      for (const auto& [path, column] : spec.body) {
        int c = result.index_of(column);
        body.set(path, json_cell(cells[c], result.columns[c].type_oid));
      }
      row.body = body.str();
      for (const auto& required : required_body_keys(spec.kind)) {
        bool present = spec.body.count(required) || (result.index_of(required) >= 0 && !mapped.count(required));
        if (!present) {
          row.error = "the body has no '" + required + "' (required by the API for this target)";
          break;
        }
      }
    }
    if (is_listener(spec.kind) && (!row.find || row.find->empty()) && row.error.empty())
      row.error = "the find column is empty";
    for (const auto& [element, column] : spec.attachments) {
      int c = result.index_of(column);
      AttachmentSet set{element, attachments_from_cell(result.columns[c], cells[c])};
      if (!set.files.empty()) row.attachments.push_back(std::move(set));
    }
  } catch (const Error& e) {
    if (row.error.empty()) row.error = e.what();
  }

  // Canonical payload: find, body (sorted keys) and each attachment's name and content hash.
  std::string canonical = "{\"find\":" + (row.find ? json_string(*row.find) : std::string("null")) +
                          ",\"body\":" + (row.body.empty() ? std::string("null") : row.body) + ",\"attachments\":{";
  for (size_t i = 0; i < row.attachments.size(); ++i) {
    const auto& set = row.attachments[i];
    canonical += (i ? "," : "") + json_string(set.element_key) + ":[";
    for (size_t f = 0; f < set.files.size(); ++f)
      canonical += (f ? "," : "") + std::string("[") + json_string(set.files[f].file_name) + ",\"" +
                   set.files[f].sha256 + "\"]";
    canonical += "]";
  }
  canonical += "}}";
  row.payload_hash = sha256_hex(canonical);
  if (row.row_key.empty()) row.row_key = "payload:" + row.payload_hash;
  return row;
}

}  // namespace ccetl::push
