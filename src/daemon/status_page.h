// The HTML of the status pages: GET / (every configured job) and GET /jobs/NAME (one job's
// runs, tables and chart). Pure functions of a snapshot: no clock, no I/O.
//
// Safe by construction: every text from data goes through html_escape; the only style is one
// constant <style> element allowed by its SHA-256 in the Content-Security-Policy; there is no
// script, no form and no external resource. The page refreshes itself with <meta refresh> and
// has a reload link, so it works with JavaScript disabled.
#pragma once

#include <string>

#include "daemon/status_model.h"

namespace ccetl {

inline constexpr int kRefreshSeconds = 30;

// The Content-Security-Policy header value for every status page:
// default-src 'none'; style-src 'sha256-…' (the page's one <style>); base-uri, form-action and
// frame-ancestors 'none'.
const std::string& status_page_csp();

std::string render_overview(const StatusSnapshot& snapshot);
std::string render_job_page(const JobDetail& detail);
// A 404 page naming what was asked for (escaped).
std::string render_not_found(const std::string& what);

}  // namespace ccetl
