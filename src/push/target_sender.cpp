#include "push/target_sender.h"

#include <algorithm>

#include "api/api_error.h"
#include "api/endpoints.h"
#include "push/response_json.h"

namespace ccetl::push {
namespace {

endpoints::Listener listener_kind(PushTargetKind kind) {
  switch (kind) {
    case PushTargetKind::MacroListener: return endpoints::Listener::Macro;
    case PushTargetKind::CommentListener: return endpoints::Listener::Comment;
    default: return endpoints::Listener::Data;
  }
}

// Uploads the row's attachments to the elements a created feedback offers. Returns the first
// failure, or "" when all went up.
std::string upload_attachments(ApiClient& client, const std::string& api_key, const PushRow& row,
                               const std::string& response_body, const std::string& feedback_key,
                               std::vector<std::string>& warnings) {
  auto elements = parse_file_elements(response_body);
  for (const auto& set : row.attachments) {
    auto element = std::find_if(elements.begin(), elements.end(),
                                [&](const FileElementInfo& e) { return e.key == set.element_key; });
    if (element == elements.end() || element->url.empty())
      return "feedback " + feedback_key + " has no file element '" + set.element_key + "'";
    size_t count = set.files.size();
    if (!element->accepts_multiple && count > 1) {
      warnings.push_back("row " + row.row_key + ": file element '" + set.element_key +
                         "' accepts a single attachment; uploaded " + set.files[0].file_name + " and skipped " +
                         std::to_string(count - 1) + " more");
      count = 1;
    }
    for (size_t i = 0; i < count; ++i) {
      const Attachment& file = set.files[i];
      try {
        client.post_file_absolute(element->url, api_key, file.file_name, file.content);
      } catch (const ApiError& e) {
        return "uploading " + file.file_name + " to '" + set.element_key + "' failed (HTTP " +
               std::to_string(e.status()) + "): " + e.description();
      } catch (const Error& e) {
        return "uploading " + file.file_name + " to '" + set.element_key + "' failed: " + e.what();
      }
    }
  }
  return "";
}

}  // namespace

std::string target_path(const PushSpec& spec, const PushRow& row) {
  switch (spec.kind) {
    case PushTargetKind::DataListener:
    case PushTargetKind::CommentListener:
    case PushTargetKind::MacroListener:
      return endpoints::listener(listener_kind(spec.kind), spec.scope, spec.project, spec.target_key,
                                 row.find.value_or(""));
    case PushTargetKind::UserImport: return endpoints::user_import(spec.scope, spec.project, spec.target_key);
    case PushTargetKind::Feedback: return endpoints::feedback(spec.project, spec.target_key);
    case PushTargetKind::Release: return endpoints::release(spec.project, spec.target_key);
  }
  return "";
}

SendOutcome send_row(ApiClient& client, const PushSpec& spec, const std::string& api_key, const PushRow& row) {
  SendOutcome out;
  Response response;
  try {
    response = client.post_json(target_path(spec, row), api_key, row.body);
  } catch (const ApiError& e) {
    out.ledger.http_status = e.status() ? std::optional<int>(e.status()) : std::nullopt;
    out.ledger.error = e.description().empty() ? std::string(e.what()) : e.description();
    for (const auto& p : e.invalid_parameters()) out.ledger.error += " [" + p.name + ": " + p.description + "]";
    // No answer at all (network, timeout): the request may have been applied. Repeating a creation blindly could
    // duplicate it, so the outcome is unknown for anything but data listeners.
    out.ledger.state = (e.status() == 0 && e.retryable() && !is_idempotent(spec.kind)) ? "unknown" : "failed";
    return out;
  } catch (const Error& e) {
    out.ledger.state = e.retryable() && !is_idempotent(spec.kind) ? "unknown" : "failed";
    out.ledger.error = e.what();
    return out;
  }
  out.ledger.http_status = response.status;
  out.ok = true;
  switch (spec.kind) {
    case PushTargetKind::MacroListener:
    case PushTargetKind::UserImport: {
      auto endpoint = json_string_field(response.body, "statusEndpoint");
      if (!endpoint) {
        out.ledger.state = "unknown";
        out.ledger.error = "accepted without a statusEndpoint";
        out.ok = false;
        return out;
      }
      out.ledger.state = "sent";
      out.ledger.status_endpoint = *endpoint;
      out.awaits_status = true;
      return out;
    }
    case PushTargetKind::Feedback: {
      out.ledger.created_id = json_string_field(response.body, "id").value_or("");
      out.ledger.created_key = json_string_field(response.body, "key").value_or("");
      out.ledger.state = "succeeded";
      if (!row.attachments.empty()) {
        std::string failure =
            upload_attachments(client, api_key, row, response.body, out.ledger.created_key, out.warnings);
        if (!failure.empty()) {
          out.ledger.state = "sent";
          out.ledger.error = failure;
          out.ok = false;
        }
      }
      return out;
    }
    case PushTargetKind::Release:
      out.ledger.created_id = json_string_field(response.body, "id").value_or("");
      out.ledger.final_status = json_string_field(response.body, "status").value_or("");
      out.ledger.state = "succeeded";
      return out;
    default:
      out.ledger.state = "succeeded";
      return out;
  }
}

}  // namespace ccetl::push
