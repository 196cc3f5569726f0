#include "push/feedback_uploads.h"

#include <algorithm>

#include "api/api_error.h"
#include "push/target_sender.h"

namespace ccetl::push {
namespace {

const Attachment* find_file(const PushRow& row, const FileRecord& record) {
  for (const auto& set : row.attachments)
    if (set.element_key == record.element_key && record.file_index < static_cast<int>(set.files.size()))
      return &set.files[record.file_index];
  return nullptr;
}

std::string label(const FileRecord& f) { return f.file_name + " ('" + f.element_key + "')"; }

}  // namespace

std::vector<FileRecord> plan_uploads(const PushRow& row, const std::vector<FileElementInfo>& elements,
                                     const std::string& feedback_key, std::vector<std::string>& warnings) {
  std::vector<FileRecord> plan;
  for (const auto& set : row.attachments) {
    auto element = std::find_if(elements.begin(), elements.end(),
                                [&](const FileElementInfo& e) { return e.key == set.element_key; });
    size_t count = set.files.size();
    const bool usable = element != elements.end() && !element->url.empty();
    if (usable && !element->accepts_multiple && count > 1) {
      warnings.push_back("row " + row.row_key + ": file element '" + set.element_key +
                         "' accepts a single attachment; uploaded " + set.files[0].file_name + " and skipped " +
                         std::to_string(count - 1) + " more");
      count = 1;
    }
    for (size_t i = 0; i < count; ++i) {
      FileRecord f;
      f.element_key = set.element_key;
      f.file_index = static_cast<int>(i);
      f.file_name = set.files[i].file_name;
      f.content_hash = set.files[i].sha256;
      if (usable) {
        f.url = element->url;
        f.state = "pending";
      } else {
        f.state = "failed";
        f.error = "feedback " + feedback_key + " has no file element '" + set.element_key + "'";
      }
      plan.push_back(std::move(f));
    }
  }
  return plan;
}

UploadsOutcome upload_planned_files(ApiClient& client, Ledger& ledger, const std::string& api_key, const PushRow& row,
                                    const std::atomic<bool>* cancel) {
  UploadsOutcome out;
  bool unknown = false, failed = false;
  auto note = [&](const std::string& error) {
    if (out.error.empty()) out.error = error;
  };
  for (FileRecord f : ledger.files(row.row_key)) {
    if (f.state == "uploaded") continue;
    if (f.state == "uploading") {
      f.state = "unknown";
      f.error = "the upload was in flight when an earlier run stopped; it may or may not have arrived";
      ledger.record_file(row.row_key, f);
    }
    if (f.state == "unknown") {
      unknown = true;
      note("uploading " + label(f) + ": outcome unknown: " + f.error);
      continue;
    }
    if (cancel && cancel->load()) {
      failed = true;
      note("the run was stopped before uploading " + label(f));
      continue;
    }
    const Attachment* file = find_file(row, f);
    if (f.url.empty() || !file) {
      if (!file)
        f.error = !row.error.empty() ? row.error : label(f) + " is no longer in the query result";
      f.state = "failed";
      ledger.record_file(row.row_key, f);
      failed = true;
      note("uploading " + label(f) + " failed: " + f.error);
      continue;
    }
    f.state = "uploading";
    f.error.clear();
    ledger.record_file(row.row_key, f);
    try {
      if (!file->path.empty())
        client.post_file_absolute_from_disk(f.url, api_key, file->file_name, file->path);
      else
        client.post_file_absolute(f.url, api_key, file->file_name, file->content);
      f.state = "uploaded";
      ++out.uploaded;
    } catch (const ApiError& e) {
      f.state = outcome_state(false, &e);
      f.error = describe_failure(e, f.state);
    } catch (const Error& e) {
      f.state = outcome_state(false, nullptr);
      f.error = e.what();
    }
    ledger.record_file(row.row_key, f);
    if (f.state == "unknown") {
      unknown = true;
      note("uploading " + label(f) + ": outcome unknown: " + f.error);
    } else if (f.state == "failed") {
      failed = true;
      note("uploading " + label(f) + " failed: " + f.error);
    }
  }
  out.state = unknown ? "unknown" : failed ? "sent" : "succeeded";
  return out;
}

}  // namespace ccetl::push
