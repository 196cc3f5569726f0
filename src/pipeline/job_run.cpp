// The run of a pull job reads like its pipeline (see run_pull_job): each step is a function
// below. Pages are fetched concurrently (PageFetcher) and decoded and loaded in page order on
// this thread, so row sequence numbers, and therefore "last duplicate wins", are deterministic.
#include "pipeline/job_run.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

#include "api/api_error.h"
#include "api/endpoints.h"
#include "core/error.h"
#include "core/redact.h"
#include "package/decoder.h"
#include "pipeline/page_fetcher.h"
#include "warehouse/queries.h"

namespace ccetl {
namespace {

// CSV carries no paging: pages are read until an empty one. This bounds a CSV endpoint that
// never answers an empty page; reaching it fails the run rather than loading a truncated table.
constexpr int64_t kMaxCsvPages = 1'000'000;

struct RunState {
  const Config& config;
  const JobSpec& job;
  ApiClient& client;
  const RunOptions& options;
  TableLoad* load = nullptr;
  Decoder decoder;
  DecodeOptions decode_options;
  std::optional<std::vector<Field>> fields;  // fixed by the first page
  DecodedPage page;
  int64_t next_seq = 1;
  int64_t pages_done = 0;
  int64_t pages_total = 0;
  int64_t rows_read = 0;
  int64_t total_results = 0;
  bool total_known = true;
  std::vector<std::string> messages;

  RunState(const Config& c, const JobSpec& j, ApiClient& cl, const RunOptions& o)
      : config(c), job(j), client(cl), options(o) {
    decode_options.key_fields = j.key;
  }

  void check_cancel() const {
    if (options.cancel && options.cancel->load())
      throw Error(ErrorKind::Transient, "run cancelled (shutting down)");
  }
  void report() const {
    if (options.progress) options.progress->update(job.name, pages_done, pages_total, rows_read);
  }
};

bool is_csv(const RunState& s, const Response& r) {
  if (s.job.source->format == "csv") return true;
  if (s.job.source->format == "json") return false;
  return r.content_type == "text/csv";
}

std::string page_label(const RunState& s, const std::string& project, int64_t page) {
  std::string label = "job '" + s.job.name + "'";
  if (!project.empty()) label += ", project '" + project + "'";
  return label + ", page " + std::to_string(page);
}

// Fixes the table's shape from the first page; later pages must carry the same fields.
void accept_fields(RunState& s, const std::string& where) {
  if (!s.fields) {
    s.load->prepare(s.page.fields);
    s.fields = s.page.fields;
    return;
  }
  if (*s.fields == s.page.fields) return;
  std::string detail;
  if (s.fields->size() != s.page.fields.size()) {
    detail = std::to_string(s.fields->size()) + " fields before, " + std::to_string(s.page.fields.size()) + " now";
  } else {
    for (size_t i = 0; i < s.fields->size(); ++i)
      if (!((*s.fields)[i] == s.page.fields[i])) {
        detail = "field " + std::to_string(i) + " was '" + (*s.fields)[i].name + "' (" +
                 std::string(to_string((*s.fields)[i].type)) + "), now '" + s.page.fields[i].name + "' (" +
                 std::string(to_string(s.page.fields[i].type)) + ")";
        break;
      }
  }
  throw Error(ErrorKind::Data, where + ": the package's fields changed while it was being read (" + detail +
                                   "); nothing was loaded, the next run will apply the new fields");
}

// Decodes one response into s.page and hands its rows to the load.
void load_response(RunState& s, const std::string& project, int64_t page_no, Response& response,
                   bool lookup) {
  s.check_cancel();
  std::string where = page_label(s, project, page_no);
  try {
    if (lookup)
      s.decoder.decode_record_lookup(response.body, s.decode_options, s.next_seq, s.page);
    else if (is_csv(s, response))
      s.decoder.decode_csv(response.body, s.decode_options, s.next_seq, s.page);
    else
      s.decoder.decode_data_package(response.body, s.decode_options, s.next_seq, s.page);
  } catch (const Error& e) {
    throw Error(e.kind(), where + ": " + e.what());
  }
  if (!lookup && s.page.paging.present && s.page.paging.current_page != page_no)
    throw Error(ErrorKind::Data, where + ": the server answered currentPage " +
                                     std::to_string(s.page.paging.current_page));
  accept_fields(s, where);
  for (auto& reject : s.page.rejects) reject.page = page_no;
  s.next_seq += s.page.rows_read;
  s.rows_read += s.page.rows_read;
  s.load->copy_rows(s.page.copy_text);
  if (!s.page.rejects.empty()) s.load->add_rejects(s.page.rejects);
  ++s.pages_done;
  s.report();
  s.client.recycle(std::move(response.body));
}

// Pages fetched ahead of the one being loaded: every request in flight plus two answered ones,
// so a slow load holds at most max_in_flight + 2 bodies (the memory bound), and a fast one never
// leaves a request slot idle.
int fetch_window(const RunState& s) { return s.config.centercode.max_in_flight + 2; }

Response get_page(RunState& s, const std::string& project, int64_t page) {
  const auto& src = *s.job.source;
  try {
    return s.client.get(endpoints::data_package(src.scope, project.empty() ? src.project : project, src.report, page),
                        s.job.api_key);
  } catch (const Error& e) {
    throw Error(e.kind(), page_label(s, project, page) + ": " + e.what());
  }
}

// All pages of one project's data package (or of the package, without fan-out).
void load_package(RunState& s, const std::string& project) {
  Response first = get_page(s, project, 1);
  if (is_csv(s, first)) {
    // CSV carries no paging: read pages in order until one has no rows.
    s.total_known = false;
    s.pages_total = -1;
    load_response(s, project, 1, first, false);
    for (int64_t page = 2; s.page.rows_read > 0; ++page) {
      if (page > kMaxCsvPages)
        throw Error(ErrorKind::Data, page_label(s, project, page) + ": no empty page after " +
                                         std::to_string(kMaxCsvPages) + " CSV pages; refusing to load an endless package");
      Response r = get_page(s, project, page);
      load_response(s, project, page, r, false);
    }
    return;
  }
  load_response(s, project, 1, first, false);
  const Paging paging = s.page.paging;
  if (!paging.present) throw Error(ErrorKind::Data, page_label(s, project, 1) + ": no paging information");
  s.total_results += paging.total_results;
  s.pages_total += paging.total_pages;
  s.report();
  PageFetcher fetcher([&](int64_t page) { return get_page(s, project, page); }, 2, paging.total_pages,
                      s.config.centercode.max_in_flight, fetch_window(s));
  while (auto next = fetcher.next()) {
    load_response(s, project, next->first, next->second, false);
    if (s.page.paging.total_pages != paging.total_pages)
      s.messages.push_back(page_label(s, project, next->first) + ": totalPages changed from " +
                           std::to_string(paging.total_pages) + " to " +
                           std::to_string(s.page.paging.total_pages) + " while paging");
  }
}

// The projects a fan-out job runs for; one empty name when it does not fan out.
std::vector<std::string> resolve_projects(const RunState& s) {
  if (!s.job.projects.empty()) return s.job.projects;
  if (s.job.projects_from_job.empty()) return {""};
  auto projects = distinct_field_values(s.config.warehouse.dsn, s.job.projects_from_job, s.job.projects_from_field);
  if (projects.empty())
    throw Error(ErrorKind::Data, "projects_from: job '" + s.job.projects_from_job + "' has no values in field '" +
                                     s.job.projects_from_field + "'");
  return projects;
}

std::vector<std::string> resolve_find_values(const RunState& s) {
  if (s.job.find_sql.empty()) return s.job.find;
  QueryResult result = run_read_query(s.config.warehouse.dsn, s.job.find_sql);
  if (result.columns.empty()) throw Error(ErrorKind::Config, "find_sql returned no columns");
  std::vector<std::string> values;
  for (const auto& row : result.rows)
    if (row[0] && !row[0]->empty()) values.push_back(*row[0]);
  return values;
}

// Record lookups: one request per find value; a value that finds nothing is recorded, not fatal.
void load_lookups(RunState& s) {
  const auto& src = *s.job.source;
  std::vector<std::string> finds = resolve_find_values(s);
  s.total_known = false;
  s.pages_total = static_cast<int64_t>(finds.size());
  auto fetch = [&](int64_t i) -> Response {
    try {
      return s.client.get(endpoints::record_lookup(src.scope, src.project, src.lookup, finds[i - 1]), s.job.api_key);
    } catch (const ApiError& e) {
      if (e.status() != 404) throw;
      Response missing;
      missing.status = 404;
      missing.body = e.description();
      return missing;
    }
  };
  PageFetcher fetcher(fetch, 1, s.pages_total, s.config.centercode.max_in_flight, fetch_window(s));
  std::vector<Reject> not_found;
  while (auto next = fetcher.next()) {
    const std::string& find = finds[next->first - 1];
    if (next->second.status == 404) {
      not_found.push_back(Reject{next->first, s.next_seq++, "find", find, "not found (404): " + next->second.body});
      ++s.pages_done;
      continue;
    }
    load_response(s, "", next->first, next->second, true);
  }
  if (!not_found.empty()) {
    s.messages.push_back(std::to_string(not_found.size()) + " lookup value(s) found nothing");
    if (s.fields) s.load->add_rejects(not_found);
  }
  if (!s.fields) throw Error(ErrorKind::Data, "job '" + s.job.name + "': no lookup value found a record");
}

}  // namespace

TableSpec table_spec_for(const Config& config, const JobSpec& job) {
  TableSpec spec;
  spec.job = job.name;
  spec.schema = config.warehouse.schema;
  spec.table = job.table.empty() ? job.name : job.table;
  spec.key_fields = job.key;
  spec.project_key_column = job.fans_out();
  spec.time_zone = job.time_zone;
  spec.deletes = job.deletes;
  spec.max_delete_ratio = job.max_delete_ratio;
  spec.history = job.history;
  return spec;
}

JobOutcome run_pull_job(const Config& config, const JobSpec& job, ApiClient& client, Warehouse& warehouse,
                        const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  JobOutcome outcome;
  outcome.job = job.name;
  RunState s(config, job, client, options);
  std::unique_ptr<TableLoad> load;
  try {
    outcome.run_id = warehouse.start_run(job.name);
    spdlog::info("[{} {}] run started", job.name, outcome.run_id);
    load = warehouse.begin_load(table_spec_for(config, job), outcome.run_id);
    s.load = load.get();
    s.decode_options.with_seq = load->staged();
    if (!job.source->lookup.empty()) {
      load_lookups(s);
    } else {
      for (const std::string& project : resolve_projects(s)) {
        if (!project.empty()) {
          s.decode_options.row_prefix.clear();
          append_copy_escaped(s.decode_options.row_prefix, project);
          s.decode_options.row_prefix += '\t';
        }
        load_package(s, project);
      }
    }
    RunEnd end;
    end.complete = true;
    end.pages = s.pages_done;
    end.rows_read = s.rows_read;
    end.total_results = s.total_known ? s.total_results : -1;
    if (s.total_known && s.rows_read != s.total_results)
      s.messages.push_back("read " + std::to_string(s.rows_read) + " rows but the API reported totalResults " +
                           std::to_string(s.total_results) + " (the package changed while it was read)");
    end.messages = s.messages;
    outcome.counts = load->commit(end);
    s.messages = outcome.counts.messages;
    outcome.succeeded = true;
  } catch (const std::exception& e) {
    outcome.error = redact(e.what(), job.api_key);
    if (load) load->abort();
    outcome.counts.pages = s.pages_done;
    outcome.counts.rows_read = s.rows_read;
    if (!outcome.run_id.empty()) {
      try {
        warehouse.fail_run(outcome.run_id, outcome.error, outcome.counts);
      } catch (const std::exception& e2) {
        spdlog::warn("[{} {}] could not record the failed run: {}", job.name, outcome.run_id, e2.what());
      }
    }
  }
  if (options.progress) options.progress->finish(job.name);
  outcome.messages = std::move(s.messages);
  outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  for (const auto& m : outcome.messages) spdlog::info("[{} {}] warning: {}", job.name, outcome.run_id, m);
  if (outcome.succeeded)
    spdlog::info("[{} {}] {}", job.name, outcome.run_id, outcome.summary());
  else
    spdlog::error("[{} {}] {}", job.name, outcome.run_id, outcome.summary());
  return outcome;
}

}  // namespace ccetl
