// Uploading a created feedback's attachments so that they survive a stopped run: every file is
// planned in the ledger when the feedback is created (ccetl.push_files), recorded `uploading`
// before its request and `uploaded` / `failed` / `unknown` after it. A later run uploads only
// the files still pending or failed, and never creates the feedback again.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "api/client.h"
#include "push/ledger.h"
#include "push/payload.h"
#include "push/response_json.h"

namespace ccetl::push {

// The uploads of `row` to the file elements a feedback creation answered with. A file element
// that accepts a single attachment gets the first file only (a warning names the others); a
// set whose element the feedback type lacks is planned `failed`.
std::vector<FileRecord> plan_uploads(const PushRow& row, const std::vector<FileElementInfo>& elements,
                                     const std::string& feedback_key, std::vector<std::string>& warnings);

struct UploadsOutcome {
  // succeeded: every planned file uploaded; sent: some file failed (the API refused it, or it is
  // no longer in the query result) and the next run tries it again; unknown: some upload may
  // or may not have arrived (a timeout, a 5xx, a run stopped during it).
  std::string state;
  std::string error;  // the first problem, naming the file
  int uploaded = 0;   // files uploaded by this call
};

// Uploads the row's pending and failed files, in order, recording each. A file found
// `uploading` was in flight when an earlier run stopped: it becomes `unknown` and is not sent
// again. Stops before the next file when `cancel` is set.
UploadsOutcome upload_planned_files(ApiClient& client, Ledger& ledger, const std::string& api_key, const PushRow& row,
                                    const std::atomic<bool>* cancel);

}  // namespace ccetl::push
