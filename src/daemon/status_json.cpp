#include "daemon/status_json.h"

#include "core/json_string.h"

#include <cmath>
#include <cstdio>
#include <optional>

namespace ccetl {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

template <typename T>
std::string or_null(const std::optional<T>& v, std::string (*fmt)(T)) {
  return v ? fmt(*v) : "null";
}

std::string int_text(int64_t v) { return std::to_string(v); }
std::string time_text(double v) { return json_quote(iso_utc(v)); }
std::string time_text_i(int64_t v) { return json_quote(iso_utc(static_cast<double>(v))); }

std::string job_object(const JobSummary& j, int64_t now) {
  const RunRecord* last = j.last_run ? &*j.last_run : nullptr;
  std::optional<int64_t> age;
  if (j.last_success) age = now - static_cast<int64_t>(std::floor(*j.last_success));
  std::string o = "{";
  o += "\"job\": " + json_quote(j.job);
  o += ", \"last_run\": " + (last ? time_text(last->started) : "null");
  o += ", \"status\": " + (last ? json_quote(last->status) : "null");
  o += ", \"last_success\": " + or_null<double>(j.last_success, time_text);
  o += ", \"rows\": " + (last ? int_text(last->rows()) : "null");
  o += ", \"age_seconds\": " + or_null<int64_t>(age, int_text);
  o += ", \"error\": " + (last && !last->error.empty() ? json_quote(last->error) : "null");
  o += ", \"kind\": " + json_quote(j.kind);
  o += ", \"schedule\": " + json_quote(j.schedule);
  o += ", \"next_run\": " + or_null<int64_t>(j.next_run, time_text_i);
  o += ", \"state\": " + json_quote(state_word(j.state()));
  o += std::string(", \"stale\": ") + (j.stale(now) ? "true" : "false");
  o += ", \"stale_at\": " + or_null<int64_t>(j.stale_at, time_text_i);
  o += ", \"finished_at\": " + (last && last->finished ? time_text(*last->finished) : "null");
  o += ", \"duration_seconds\": " + (last ? number(last->duration(static_cast<double>(now))) : "null");
  o += ", \"rows_read\": " + (last ? int_text(last->rows_read) : "null");
  o += ", \"rows_written\": " + (last ? int_text(last->rows_written()) : "null");
  return o;  // left open: job_detail_json appends members
}

std::string run_object(const RunRecord& r, int64_t now) {
  std::string o = "{\"status\": " + json_quote(r.status);
  o += ", \"started_at\": " + time_text(r.started);
  o += ", \"finished_at\": " + (r.finished ? time_text(*r.finished) : "null");
  o += ", \"duration_seconds\": " + number(r.duration(static_cast<double>(now)));
  o += ", \"pages\": " + int_text(r.pages);
  o += ", \"rows_read\": " + int_text(r.rows_read);
  o += ", \"inserted\": " + int_text(r.inserted);
  o += ", \"updated\": " + int_text(r.updated);
  o += ", \"unchanged\": " + int_text(r.unchanged);
  o += ", \"deleted\": " + int_text(r.deleted);
  o += ", \"rejected\": " + int_text(r.rejected);
  o += ", \"duplicates\": " + int_text(r.duplicates);
  o += ", \"rows_written\": " + int_text(r.rows_written());
  o += ", \"messages\": " + (r.messages.empty() ? std::string("null") : json_quote(r.messages));
  o += ", \"error\": " + (r.error.empty() ? std::string("null") : json_quote(r.error));
  return o + "}";
}

}  // namespace

std::string json_quote(std::string_view text) {
  // The shared writer (core/json_string.h), then < > & as \u escapes: none of them can be
  // inside an escape sequence the writer produced, so replacing them afterwards is safe.
  const std::string quoted = json_string(text);
  std::string out;
  out.reserve(quoted.size());
  for (char c : quoted) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string status_list_json(const StatusSnapshot& snapshot) {
  std::string out = "[";
  for (size_t i = 0; i < snapshot.jobs.size(); ++i)
    out += (i ? ",\n  " : "\n  ") + job_object(snapshot.jobs[i], snapshot.now) + "}";
  return out + "\n]\n";
}

std::string job_detail_json(const JobDetail& detail) {
  std::string out = job_object(detail.summary, detail.now);
  out += ",\n \"runs\": [";
  for (size_t i = 0; i < detail.runs.size(); ++i)
    out += (i ? ",\n  " : "\n  ") + run_object(detail.runs[i], detail.now);
  out += "],\n \"tables\": [";
  for (size_t i = 0; i < detail.tables.size(); ++i) {
    const auto& t = detail.tables[i];
    out += (i ? ", " : "") + std::string("{\"name\": ") + json_quote(t.name) +
           ", \"rows\": " + or_null<int64_t>(t.rows, int_text) + ", \"estimated\": " + (t.estimated ? "true" : "false") +
           "}";
  }
  return out + "]}\n";
}

}  // namespace ccetl
