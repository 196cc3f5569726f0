#include "daemon/status_site.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.h"
#include "daemon/html.h"
#include "daemon/status_data.h"
#include "daemon/status_json.h"
#include "daemon/status_page.h"

namespace ccetl {
namespace {

HttpPage html(int status, std::string body) {
  HttpPage p;
  p.status = status;
  p.content_type = "text/html; charset=utf-8";
  p.body = std::move(body);
  return p;
}

HttpPage json(int status, std::string body) {
  HttpPage p;
  p.status = status;
  p.content_type = "application/json; charset=utf-8";
  p.body = std::move(body);
  return p;
}

// Headers of every status answer: the strict CSP, no sniffing, no framing, no caching, no referrer.
HttpPage with_safety_headers(HttpPage p) {
  p.headers.emplace_back("Content-Security-Policy", status_page_csp());
  p.headers.emplace_back("X-Content-Type-Options", "nosniff");
  p.headers.emplace_back("X-Frame-Options", "DENY");
  p.headers.emplace_back("Referrer-Policy", "no-referrer");
  p.headers.emplace_back("Cache-Control", "no-store");
  return p;
}

// The job named by the rest of `path` after `prefix`, decoded; nullptr when there is none.
const JobSpec* job_at(const Config& config, const std::string& path, const std::string& prefix, std::string& name) {
  if (!url_segment_unescape(std::string_view(path).substr(prefix.size()), name)) return nullptr;
  return config.find_job(name);
}

}  // namespace

void StatusBoard::publish(std::shared_ptr<const Config> config, std::map<std::string, int64_t> next_runs) {
  std::lock_guard lock(mu_);
  view_.config = std::move(config);
  view_.next_runs = std::move(next_runs);
}

StatusBoard::View StatusBoard::view() const {
  std::lock_guard lock(mu_);
  return view_;
}

StatusSite::StatusSite(const StatusBoard& board, std::chrono::milliseconds statement_timeout)
    : board_(board), statement_timeout_(statement_timeout) {}
StatusSite::~StatusSite() = default;

std::optional<HttpPage> StatusSite::get(const std::string& path) {
  static const std::string kJobPrefix = "/jobs/", kApiJobPrefix = "/api/jobs/";
  const bool overview = path == "/", api_list = path == "/api/jobs";
  const bool job_page = path.rfind(kJobPrefix, 0) == 0, api_job = path.rfind(kApiJobPrefix, 0) == 0;
  if (!overview && !api_list && !job_page && !api_job) return std::nullopt;

  StatusBoard::View view = board_.view();
  if (!view.config) return with_safety_headers(html(503, render_not_found("The configuration is not loaded yet.")));
  const Config& config = *view.config;
  // A reload may point at another database: the reader follows the configuration's DSN.
  if (!reader_ || reader_->dsn() != config.warehouse.dsn)
    reader_ = std::make_unique<StatusReader>(config.warehouse.dsn, statement_timeout_);

  if (overview || api_list) {
    StatusSnapshot snap;
    try {
      snap = reader_->overview(config, view.next_runs);
    } catch (const Error& e) {
      spdlog::warn("status page: {}", e.what());
      if (api_list) return with_safety_headers(json(503, "{\"error\": " + json_quote(e.what()) + "}\n"));
      snap.now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
      for (const auto& job : config.jobs) snap.jobs.push_back(summary_of(job, config));
      snap.history_error = e.what();
    }
    return with_safety_headers(api_list ? json(200, status_list_json(snap)) : html(200, render_overview(snap)));
  }

  std::string name;
  const JobSpec* job = job_at(config, path, job_page ? kJobPrefix : kApiJobPrefix, name);
  if (!job) {
    std::string what = "No job named '" + name + "' is configured.";
    return with_safety_headers(job_page ? html(404, render_not_found(what))
                                        : json(404, "{\"error\": " + json_quote(what) + "}\n"));
  }
  JobDetail detail;
  try {
    detail = reader_->job(config, *job, view.next_runs);
  } catch (const Error& e) {
    spdlog::warn("status page of job '{}': {}", job->name, e.what());
    if (api_job) return with_safety_headers(json(503, "{\"error\": " + json_quote(e.what()) + "}\n"));
    detail.now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
    detail.summary = summary_of(*job, config);
    detail.history_error = e.what();
  }
  return with_safety_headers(api_job ? json(200, job_detail_json(detail)) : html(200, render_job_page(detail)));
}

}  // namespace ccetl
