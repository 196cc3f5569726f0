// JSON for GET /api/jobs, /api/jobs/NAME and `ccetl status --json`: one writer, so the daemon's
// API and the command print the same shape. A job object holds `ccetl status --json`'s original
// members (job, last_run, status, last_success, rows, age_seconds, error) followed by the ones
// added with the status page (kind, schedule, next_run, state, stale, stale_at, finished_at,
// duration_seconds, rows_read, rows_written). Times are ISO 8601 UTC strings; unknown values null.
#pragma once

#include <string>
#include <string_view>

#include "daemon/status_model.h"

namespace ccetl {

// A JSON string literal. Besides what JSON requires, escapes < > & as \u003c \u003e \u0026, so
// the text cannot form markup even where a client pastes it into HTML.
std::string json_quote(std::string_view text);

// The array of job objects, in the snapshot's order, one object per line.
std::string status_list_json(const StatusSnapshot& snapshot);

// One job object with two more members: "runs" (newest first) and "tables".
std::string job_detail_json(const JobDetail& detail);

}  // namespace ccetl
