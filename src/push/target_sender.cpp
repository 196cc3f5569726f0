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

}  // namespace

std::string outcome_state(bool idempotent, const ApiError* error) {
  if (idempotent) return "failed";
  if (error && !error->maybe_applied()) return "failed";
  return "unknown";
}

std::string describe_failure(const ApiError& e, const std::string& state) {
  std::string text = state == "unknown" ? std::string(e.what()) : e.description().empty() ? std::string(e.what())
                                                                                          : e.description();
  for (const auto& p : e.invalid_parameters()) text += " [" + p.name + ": " + p.description + "]";
  return text;
}

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
  const bool idempotent = is_idempotent(spec.kind);
  try {
    response = client.post_json(target_path(spec, row), api_key, row.body,
                                idempotent ? Idempotency::Idempotent : Idempotency::AtMostOnce);
  } catch (const ApiError& e) {
    out.ledger.http_status = e.status() ? std::optional<int>(e.status()) : std::nullopt;
    out.ledger.state = outcome_state(idempotent, &e);
    out.ledger.error = describe_failure(e, out.ledger.state);
    return out;
  } catch (const Error& e) {
    out.ledger.state = outcome_state(idempotent, nullptr);
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
        out.ledger.state = "sent";  // until the uploads are done (push/feedback_uploads.h)
        out.file_elements = parse_file_elements(response.body);
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
