#include "daemon/status_page.h"

#include <algorithm>
#include <cstdio>

#include "daemon/html.h"
#include "daemon/status_chart.h"
#include "push/sha256.h"

namespace ccetl {
namespace {

// The pages' only style. Its hash is in the CSP: change it freely, the hash follows.
constexpr const char* kCss =
    "body{font:13px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:1.5rem 2rem;color:#1f2328;background:#fff}"
    "h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}"
    "a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}"
    ".meta{color:#57606a;margin:0 0 1rem}"
    ".alert{background:#ffebe9;border:1px solid #ff8182;padding:.5rem .75rem;border-radius:6px}"
    "table{border-collapse:collapse;width:100%;margin-bottom:1rem}"
    "th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid #d8dee4;vertical-align:top}"
    "th{background:#f6f8fa;font-weight:600;white-space:nowrap;font-size:.85rem;color:#424a53}"
    "table.tables{width:auto;min-width:28rem}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td.when{white-space:nowrap}"
    ".muted{color:#57606a;font-size:.85em}"
    ".badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-weight:600;font-size:.8rem}"
    ".b-succeeded{background:#dafbe1;color:#116329}.b-failed{background:#ffebe9;color:#a40e26}"
    ".b-running{background:#ddf4ff;color:#0550ae}.b-never{background:#eaeef2;color:#424a53}"
    "tr.failed td:first-child{box-shadow:inset 4px 0 #cf222e}tr.stale td:first-child{box-shadow:inset 4px 0 #bf8700}"
    ".stale-tag{background:#fff8c5;color:#7d4e00;border:1px solid #d4a72c;border-radius:4px;padding:0 .3rem;"
    "font-size:.8rem;font-weight:600;margin-left:.3rem}"
    "pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.4 'DejaVu Sans Mono',monospace}"
    "td.error{min-width:14rem}td.error pre{color:#a40e26;max-width:40rem}"
    "dl.facts{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem;margin:0}"
    "dl.facts dt{color:#57606a}dl.facts dd{margin:0}"
    ".chart{max-width:100%;height:auto;border:1px solid #d8dee4;border-radius:6px}"
    ".legend{color:#57606a;font-size:.85rem}";

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string sha256_base64(const std::string& text) {
  std::string hex = push::sha256_hex(text), raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return base64(raw);
}

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

// "2026-12-01 21:27" (UTC, as the pages say once) inside a <time> element carrying the instant.
std::string time_html(double unix_seconds, bool with_seconds = false) {
  std::string iso = iso_utc(unix_seconds);
  std::string shown = iso.substr(0, 10) + " " + iso.substr(11, with_seconds ? 8 : 5);
  return "<time datetime=\"" + iso + "\">" + shown + "</time>";
}

std::string badge(JobState state) {
  std::string w = state_word(state);
  return "<span class=\"badge b-" + w + "\">" + w + "</span>";
}

std::string run_badge(const std::string& status) {
  std::string cls = status == "succeeded" || status == "running" ? status : "failed";
  return "<span class=\"badge b-" + cls + "\">" + html_escape(status) + "</span>";
}

// The first line of `text`, cut to at most `limit` bytes without splitting a UTF-8 sequence;
// "…" marks that something was left out (the job page shows it whole).
std::string first_line(const std::string& text, size_t limit) {
  size_t end = std::min(text.find('\n'), limit);
  if (end >= text.size()) return text;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

std::string job_href(const std::string& job) { return "/jobs/" + url_segment_escape(job); }

std::string head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta http-equiv=\"refresh\" content=\"" + std::to_string(kRefreshSeconds) + "\">"
         "<meta name=\"referrer\" content=\"no-referrer\">"
         "<title>" + html_escape(title) + "</title><style>" + kCss + "</style></head>\n<body>\n";
}

std::string last_success_html(const JobSummary& j, int64_t now) {
  if (!j.last_success) return "<span class=\"muted\">never</span>";
  std::string out = time_html(*j.last_success) + "<br><span class=\"muted\">" +
                    age_text(now - static_cast<int64_t>(*j.last_success)) + " ago</span>";
  if (j.stale(now)) out += "<span class=\"stale-tag\">stale</span>";
  return out;
}

std::string next_run_html(const JobSummary& j, int64_t now) {
  if (!j.next_run) return "<span class=\"muted\">—</span>";
  std::string when = *j.next_run <= now ? "due now" : "in " + age_text(*j.next_run - now);
  return time_html(static_cast<double>(*j.next_run)) + "<br><span class=\"muted\">" + when + "</span>";
}

}  // namespace

const std::string& status_page_csp() {
  static const std::string csp = "default-src 'none'; style-src 'sha256-" + sha256_base64(kCss) +
                                 "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  return csp;
}

std::string render_overview(const StatusSnapshot& snapshot) {
  const int64_t now = snapshot.now;
  auto jobs = sorted_for_overview(snapshot.jobs, now);
  int failed = 0, stale = 0, never = 0;
  for (const auto& j : jobs) {
    failed += j.state() == JobState::Failed;
    stale += j.stale(now);
    never += j.state() == JobState::Never;
  }
  std::string h = head("ccetl status");
  h += "<header><h1>ccetl status</h1><p class=\"meta\">" + std::to_string(jobs.size()) + " jobs · " +
       std::to_string(failed) + " failed · " + std::to_string(stale) + " stale · " + std::to_string(never) +
       " never run · as of " + time_html(static_cast<double>(now), true) + " · times in UTC · refreshes every " +
       std::to_string(kRefreshSeconds) + " s · <a href=\"/\">reload</a> · <a href=\"/api/jobs\">JSON</a> · "
       "<a href=\"/metrics\">metrics</a></p></header>\n";
  if (!snapshot.history_error.empty())
    h += "<p class=\"alert\" id=\"history-error\">Run history unavailable: " + html_escape(snapshot.history_error) +
         "</p>\n";
  h += "<table class=\"jobs\"><thead><tr><th>Job</th><th>Kind</th><th>Status</th><th>Schedule</th><th>Next run</th>"
       "<th>Last run</th><th class=\"num\">Duration</th><th class=\"num\">Rows read</th>"
       "<th class=\"num\">Rows written</th><th>Last success</th><th>Last error</th></tr></thead>\n<tbody>\n";
  for (const auto& j : jobs) {
    JobState state = j.state();
    std::string cls = state_word(state);
    if (j.stale(now)) cls += " stale";
    const RunRecord* last = j.last_run ? &*j.last_run : nullptr;
    h += "<tr class=\"" + cls + "\" id=\"job-" + html_escape(j.job) + "\">";
    h += "<td><a href=\"" + html_escape(job_href(j.job)) + "\">" + html_escape(j.job) + "</a></td>";
    h += "<td>" + html_escape(j.kind) + "</td>";
    h += "<td>" + badge(state) + "</td>";
    h += "<td>" + html_escape(j.schedule) + "</td>";
    h += "<td class=\"when\">" + next_run_html(j, now) + "</td>";
    h += "<td class=\"when\">" + (last ? time_html(last->started) : "<span class=\"muted\">—</span>") + "</td>";
    h += "<td class=\"num\">" + (last ? duration_text(last->duration(static_cast<double>(now))) : "") + "</td>";
    h += "<td class=\"num\">" + (last ? grouped(last->rows_read) : "") + "</td>";
    h += "<td class=\"num\">" + (last ? grouped(last->rows_written()) : "") + "</td>";
    h += "<td class=\"when\">" + last_success_html(j, now) + "</td>";
    h += "<td class=\"error\">" + (last && !last->error.empty() ? "<pre>" + html_escape(first_line(last->error, 300)) + "</pre>" : "") +
         "</td>";
    h += "</tr>\n";
  }
  if (jobs.empty()) h += "<tr><td colspan=\"11\" class=\"muted\">No jobs are configured.</td></tr>\n";
  h += "</tbody></table>\n</body></html>\n";
  return h;
}

std::string render_job_page(const JobDetail& d) {
  const JobSummary& j = d.summary;
  const int64_t now = d.now;
  std::string h = head(j.job + " · ccetl status");
  h += "<p class=\"meta\"><a href=\"/\">← all jobs</a> · <a href=\"" + html_escape("/api/jobs/" + url_segment_escape(j.job)) +
       "\">JSON</a> · <a href=\"" + html_escape(job_href(j.job)) + "\">reload</a> · as of " +
       time_html(static_cast<double>(now), true) + " · times in UTC</p>\n";
  h += "<h1>" + html_escape(j.job) + " " + badge(j.state()) + (j.stale(now) ? "<span class=\"stale-tag\">stale</span>" : "") +
       "</h1>\n";
  if (!d.history_error.empty())
    h += "<p class=\"alert\" id=\"history-error\">Run history unavailable: " + html_escape(d.history_error) + "</p>\n";
  h += "<dl class=\"facts\"><dt>Kind</dt><dd>" + html_escape(j.kind) + "</dd><dt>Schedule</dt><dd>" +
       html_escape(j.schedule) + "</dd><dt>Next run</dt><dd>" + next_run_html(j, now) + "</dd><dt>Last success</dt><dd>" +
       last_success_html(j, now) + "</dd></dl>\n";

  h += "<h2>Tables</h2>\n";
  if (d.tables.empty()) {
    h += "<p class=\"muted\">No table yet.</p>\n";
  } else {
    h += "<table class=\"tables\"><thead><tr><th>Table</th><th class=\"num\">Rows</th></tr></thead><tbody>\n";
    for (const auto& t : d.tables) {
      std::string rows = !t.rows ? "<span class=\"muted\">not created yet</span>"
                                 : (t.estimated ? "≈ " : "") + grouped(*t.rows);
      h += "<tr><td>" + html_escape(t.name) + "</td><td class=\"num\">" + rows + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }

  h += "<h2>Last " + std::to_string(d.runs.size()) + " runs</h2>\n";
  if (d.runs.empty()) {
    h += "<p class=\"muted\">No runs yet.</p>\n";
  } else {
    h += run_chart_svg(d.runs, now);
    h += "<p class=\"legend\">Bars: duration of each run (green succeeded, red failed, grey running). "
         "Blue line: rows read.</p>\n";
    h += "<table class=\"runs\"><thead><tr><th>Status</th><th>Started</th><th>Finished</th>"
         "<th class=\"num\">Duration</th><th class=\"num\">Pages</th><th class=\"num\">Read</th>"
         "<th class=\"num\">Inserted</th><th class=\"num\">Updated</th><th class=\"num\">Unchanged</th>"
         "<th class=\"num\">Deleted</th><th class=\"num\">Rejected</th><th>Messages</th><th>Error</th></tr></thead><tbody>\n";
    for (const auto& r : d.runs) {
      h += "<tr><td>" + run_badge(r.status) + "</td><td class=\"when\">" + time_html(r.started, true) +
           "</td><td class=\"when\">" + (r.finished ? time_html(*r.finished, true) : "") + "</td><td class=\"num\">" +
           duration_text(r.duration(static_cast<double>(now))) + "</td>";
      for (int64_t n : {r.pages, r.rows_read, r.inserted, r.updated, r.unchanged, r.deleted, r.rejected})
        h += "<td class=\"num\">" + grouped(n) + "</td>";
      h += "<td>" + (r.messages.empty() ? "" : "<pre>" + html_escape(r.messages) + "</pre>") + "</td>";
      h += "<td class=\"error\">" + (r.error.empty() ? "" : "<pre>" + html_escape(r.error) + "</pre>") + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  h += "</body></html>\n";
  return h;
}

std::string render_not_found(const std::string& what) {
  return head("not found · ccetl status") + "<h1>Not found</h1><p>" + html_escape(what) +
         "</p><p><a href=\"/\">all jobs</a></p>\n</body></html>\n";
}

}  // namespace ccetl
