// The run of a pull job reads like its pipeline (see run_pull_job): each step is a function
// below. Pages are fetched concurrently (PageFetcher; a fan-out job's projects as one sequence,
// ProjectPages, under the run's one in-flight budget) and decoded and loaded in sequence order on
// this thread, so row sequence numbers, and therefore "last duplicate wins", are deterministic.
#include "pipeline/job_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "api/api_error.h"
#include "api/endpoints.h"
#include "core/error.h"
#include "core/redact.h"
#include "package/decoder.h"
#include "pipeline/body_spool.h"
#include "pipeline/field_union.h"
#include "pipeline/page_fetcher.h"
#include "pipeline/project_pages.h"
#include "warehouse/queries.h"

namespace ccetl {
namespace {

// CSV carries no paging: pages are read until an empty one. This bounds a CSV endpoint that
// never answers an empty page; reaching it fails the run rather than loading a truncated table.
constexpr int64_t kMaxCsvPages = 1'000'000;

// Page-1 bodies parked on disk (BodySpool) from the first pass over a fan-out job's projects
// (which learns their fields) for the load pass; beyond this many bytes page 1 is fetched again
// when loaded. Within the 64 MiB /tmp of deploy/k8s.
constexpr std::size_t kParkedFirstPagesBytes = 32u << 20;

// One project's read: what its page 1 announced and what the run saw of its pages. Becomes a
// ProjectRead for the loader, which judges completeness per project.
struct ProjectState {
  ProjectRead read;
  bool csv = false;
  std::vector<Field> fields;          // page 1's; every later page must carry the same
  std::vector<std::size_t> columns;   // each field's index in the run's field union
  Paging first;                       // page 1's paging
  int64_t first_seq = 0;              // run-wide sequence number of its first row
  int64_t rows_read = 0;
  std::optional<BodySpool::Slot> page1;  // parked by the first pass (within kParkedFirstPagesBytes)
  std::string page1_content_type;
  int64_t pages_read = 0;
  bool skipped = false;  // its package answered 404 while it was loaded
  // The distinct rows rejected for a bad key (read.key_rejects is their count): a row served
  // twice (a package shifting under the read repeats a row at a page boundary) counts once, as
  // its key would, so a repeat cannot stand in for a row that was never read.
  std::set<RowDigest> bad_key_rows;

  void note_incomplete(std::string why) {
    if (read.incomplete.empty()) read.incomplete = std::move(why);
  }
};

struct RunState {
  const Config& config;
  const JobSpec& job;
  ApiClient& client;
  const RunOptions& options;
  TableLoad* load = nullptr;
  Decoder decoder;
  DecodeOptions decode_options;
  std::optional<std::vector<Field>> fields;  // lookups: fixed by the first answer
  DecodedPage page;
  int64_t next_seq = 1;
  int64_t pages_done = 0;
  int64_t pages_total = 0;
  int64_t rows_read = 0;
  int64_t key_rejects = 0;
  std::vector<std::string> messages;
  std::vector<std::string> skipped_projects;

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

std::string fields_difference(const std::vector<Field>& before, const std::vector<Field>& now) {
  if (before.size() != now.size())
    return std::to_string(before.size()) + " fields before, " + std::to_string(now.size()) + " now";
  for (size_t i = 0; i < before.size(); ++i)
    if (!(before[i] == now[i]))
      return "field " + std::to_string(i) + " was '" + before[i].name + "' (" + std::string(to_string(before[i].type)) +
             "), now '" + now[i].name + "' (" + std::string(to_string(now[i].type)) + ")";
  return "same fields";
}

// Every page of one package must carry the fields its page 1 carried.
void check_fields(const std::vector<Field>& expected, const DecodedPage& page, const std::string& where) {
  if (expected == page.fields) return;
  throw Error(ErrorKind::Data, where + ": the package's fields changed while it was being read (" +
                                   fields_difference(expected, page.fields) +
                                   "); nothing was loaded, the next run will apply the new fields");
}

// Decodes one response into s.page (rows numbered from s.next_seq).
void decode_response(RunState& s, const std::string& where, Response& response, bool lookup) {
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
}

// Hands the rows of s.page (page `page_no`) to the load.
void stage_page(RunState& s, int64_t page_no, Response& response) {
  for (auto& reject : s.page.rejects) reject.page = page_no;
  s.next_seq += s.page.rows_read;
  s.rows_read += s.page.rows_read;
  s.key_rejects += s.page.key_rejects;
  s.load->copy_rows(s.page.copy_text);
  if (!s.page.rejects.empty()) s.load->add_rejects(s.page.rejects);
  ++s.pages_done;
  s.report();
  s.client.recycle(std::move(response.body));
}

// Decodes and stages one page of a project's package, and checks it against page 1: same
// fields, the page asked for, and the same totalResults and totalPages (a package that changes
// while it is paged repeats or skips rows, so its read proves nothing).
void load_page(RunState& s, ProjectState& p, int64_t page_no, Response& response) {
  s.check_cancel();
  const std::string where = page_label(s, p.read.project, page_no);
  decode_response(s, where, response, false);
  if (s.page.paging.present && s.page.paging.current_page != page_no)
    throw Error(ErrorKind::Data, where + ": the server answered currentPage " +
                                     std::to_string(s.page.paging.current_page));
  check_fields(p.fields, s.page, where);
  const Paging& now = s.page.paging;
  if (!p.csv && (now.total_results != p.first.total_results || now.total_pages != p.first.total_pages)) {
    std::string why = "page " + std::to_string(page_no) + " reported totalResults " +
                      std::to_string(now.total_results) + " and totalPages " + std::to_string(now.total_pages) +
                      ", page 1 " + std::to_string(p.first.total_results) + " and " +
                      std::to_string(p.first.total_pages) + " (the package changed while it was read)";
    s.messages.push_back(where + ": " + why);
    p.note_incomplete(why);
  }
  p.bad_key_rows.insert(s.page.key_reject_rows.begin(), s.page.key_reject_rows.end());
  p.read.key_rejects = static_cast<int64_t>(p.bad_key_rows.size());
  p.rows_read += s.page.rows_read;
  ++p.pages_read;
  stage_page(s, page_no, response);
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
  } catch (const ApiError& e) {
    // Keeps the status: a fan-out project whose package vanishes (404) is skipped, not failed.
    throw ApiError(e.kind(), page_label(s, project, page) + ": " + e.what(), e.status(), e.description(),
                   e.invalid_parameters());
  } catch (const Error& e) {
    throw Error(e.kind(), page_label(s, project, page) + ": " + e.what());
  }
}

// First pass: page 1 of every project, for its fields and paging; up to max_in_flight requests
// at once, decoded in project order. A fan-out project that answers 404 (archived, deleted, or
// not visible to the key) is skipped: recorded, its rows left as they are. Any other error fails
// the run. Returns the projects to load; their page 1 is parked in `spool`.
std::vector<ProjectState> read_first_pages(RunState& s, const std::vector<std::string>& projects, BodySpool& spool) {
  std::vector<ProjectState> out;
  const bool fans_out = !projects.front().empty();
  ProjectPages first_pages([&](std::size_t i, int64_t) { return get_page(s, projects[i], 1); },
                           std::vector<ProjectPages::Range>(projects.size(), {1, 1}), fans_out,
                           s.config.centercode.max_in_flight, fetch_window(s));
  while (auto next = first_pages.next()) {
    s.check_cancel();
    const std::string& project = projects[next->project];
    if (next->vanished) {
      s.skipped_projects.push_back(project);
      s.messages.push_back("project '" + project + "' skipped: its data package answered 404 (" + next->vanished_why +
                           "); its rows are left as they are");
      continue;
    }
    ProjectState p;
    p.read.project = project;
    const std::string where = page_label(s, project, 1);
    Response& first = next->response;
    p.csv = is_csv(s, first);
    decode_response(s, where, first, false);
    p.fields = s.page.fields;
    if (!p.csv) {
      if (!s.page.paging.present) throw Error(ErrorKind::Data, where + ": no paging information");
      p.first = s.page.paging;
      p.read.total_results = p.first.total_results;
      s.pages_total += std::max<int64_t>(p.first.total_pages, 1);
    } else {
      // No totals: nothing proves a CSV read complete (docs/warehouse.md, "Complete").
      p.note_incomplete("CSV packages carry no totalResults, so nothing proves the read complete");
    }
    p.page1 = spool.put(first.body);
    p.page1_content_type = first.content_type;
    s.client.recycle(std::move(first.body));
    out.push_back(std::move(p));
  }
  s.report();
  return out;
}

// Page `page` of project p: page 1 from the spool when the first pass parked it.
Response project_page(RunState& s, const ProjectState& p, int64_t page, const BodySpool& spool) {
  if (page == 1 && p.page1) {
    Response r;
    r.status = 200;
    r.content_type = p.page1_content_type;
    r.body = s.client.reusable_body();
    if (spool.get(*p.page1, r.body)) return r;
    s.client.recycle(std::move(r.body));
  }
  return get_page(s, p.read.project, page);
}

// Starts loading project p: its rows carry its key and its subset of the table's fields.
void begin_project(RunState& s, ProjectState& p) {
  s.decode_options.row_prefix.clear();
  if (!p.read.project.empty()) {
    append_copy_escaped(s.decode_options.row_prefix, p.read.project);
    s.decode_options.row_prefix += '\t';
  }
  s.load->use_fields(p.columns);
  p.first_seq = s.next_seq;
}

// A fan-out project whose package answers 404 after some of its pages were loaded (it vanished
// while it was read) is skipped like one that answers 404 at once: what was staged for it is
// discarded, so its rows stay as they are.
void skip_vanished(RunState& s, ProjectState& p, const std::string& why) {
  s.load->discard_project(p.read.project, p.first_seq);
  s.rows_read -= p.rows_read;
  p.skipped = true;
  s.skipped_projects.push_back(p.read.project);
  s.messages.push_back("project '" + p.read.project + "' skipped: its data package answered 404 after " +
                       std::to_string(p.pages_read) + " page(s) were read (" + why +
                       "); what was read of it is discarded and its rows are left as they are");
}

// Every page of every paged (JSON) project but the parked pages 1, as one sequence fetched under
// the run's in-flight budget (ProjectPages). It starts fetching when it is made: before the
// table is prepared, so that its first requests overlap the DDL.
std::unique_ptr<ProjectPages> paged_sequence(RunState& s, const std::vector<ProjectState>& states) {
  std::vector<ProjectPages::Range> ranges(states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (states[i].csv) continue;  // loaded after these (load_csv_package)
    ranges[i] = {states[i].page1 ? 2 : 1, std::max<int64_t>(states[i].first.total_pages, 1)};
  }
  return std::make_unique<ProjectPages>(
      [&s, &states](std::size_t i, int64_t page) { return get_page(s, states[i].read.project, page); }, ranges,
      !states.front().read.project.empty(), s.config.centercode.max_in_flight, fetch_window(s));
}

// Loads `stream` in order: project by project, each project's pages in page order, so its rows
// are contiguous and numbered in page order. A parked page 1 is read back from the spool when
// its project starts; it takes no place in the sequence, whose window thus holds only requests.
void load_paged_projects(RunState& s, std::vector<ProjectState>& states, ProjectPages& stream,
                         const BodySpool& spool) {
  const bool fans_out = !states.front().read.project.empty();
  std::size_t next_project = 0;  // the first project not yet begun
  // Begins every project up to `until` (exclusive) that the sequence has not begun yet: those
  // with only a parked page 1 have no page in it.
  auto begin_up_to = [&](std::size_t until) {
    for (; next_project < until; ++next_project) {
      ProjectState& p = states[next_project];
      if (p.csv) continue;
      begin_project(s, p);
      if (!p.page1) continue;
      try {
        Response first = project_page(s, p, 1, spool);  // fetched again only if the spool fails
        load_page(s, p, 1, first);
      } catch (const ApiError& e) {
        if (!fans_out || e.status() != 404) throw;
        skip_vanished(s, p, e.description());
      }
    }
  };
  while (auto next = stream.next()) {
    ProjectState& p = states[next->project];
    begin_up_to(next->project + 1);
    if (p.skipped) {
      s.client.recycle(std::move(next->response.body));
    } else if (next->vanished) {
      skip_vanished(s, p, next->vanished_why);
    } else {
      load_page(s, p, next->page, next->response);
    }
  }
  begin_up_to(states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    ProjectState& p = states[i];
    const int64_t expected = std::max<int64_t>(p.first.total_pages, 1);
    if (!p.csv && !p.skipped && p.pages_read != expected)
      p.note_incomplete("read " + std::to_string(p.pages_read) + " of " + std::to_string(expected) + " pages");
  }
}

// A CSV project's pages, read one after another until one has no rows (CSV carries no paging).
void load_csv_package(RunState& s, ProjectState& p, const BodySpool& spool) {
  const std::string& project = p.read.project;
  begin_project(s, p);
  s.pages_total = -1;
  for (int64_t page = 1;; ++page) {
    if (page > kMaxCsvPages)
      throw Error(ErrorKind::Data, page_label(s, project, page) + ": no empty page after " +
                                       std::to_string(kMaxCsvPages) + " CSV pages; refusing to load an endless package");
    Response r = project_page(s, p, page, spool);
    load_page(s, p, page, r);
    if (s.page.rows_read == 0) break;
  }
}

// A CSV fan-out project that answers 404 while it is read is skipped (skip_vanished).
void load_csv_or_skip(RunState& s, ProjectState& p, const BodySpool& spool) {
  try {
    load_csv_package(s, p, spool);
  } catch (const ApiError& e) {
    if (p.read.project.empty() || e.status() != 404) throw;
    skip_vanished(s, p, e.description());
  }
}

// Loads a data-package job: page 1 of every project first (the table holds the union of their
// fields), then every project's pages (paged ones as one concurrent sequence, CSV ones after
// them, one by one). Returns what each project's read proved.
std::vector<ProjectRead> load_packages(RunState& s, const std::vector<std::string>& projects) {
  BodySpool spool(kParkedFirstPagesBytes);
  std::vector<ProjectState> states = read_first_pages(s, projects, spool);
  if (states.empty())
    throw Error(ErrorKind::Data, "job '" + s.job.name + "': every project answered 404; nothing to load");
  FieldUnion fields(s.job.key);
  for (auto& p : states) p.columns = fields.add(p.read.project, p.fields);
  for (const auto& note : fields.notes()) s.messages.push_back(note);
  std::unique_ptr<ProjectPages> sequence = paged_sequence(s, states);
  s.load->prepare(fields.fields());
  load_paged_projects(s, states, *sequence, spool);
  sequence.reset();
  for (auto& p : states)
    if (p.csv) load_csv_or_skip(s, p, spool);
  std::vector<ProjectRead> reads;
  for (auto& p : states)
    if (!p.skipped) reads.push_back(p.read);
  if (reads.empty())
    throw Error(ErrorKind::Data, "job '" + s.job.name + "': every project answered 404; nothing to load");
  return reads;
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
    s.check_cancel();
    decode_response(s, page_label(s, "", next->first), next->second, true);
    if (!s.fields) {
      s.load->prepare(s.page.fields);
      s.fields = s.page.fields;
    }
    check_fields(*s.fields, s.page, page_label(s, "", next->first));
    stage_page(s, next->first, next->second);
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
  spec.lock_timeout = config.warehouse.lock_timeout;
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
    std::optional<CancelToken::Registration> interrupt_db;
    if (options.stop) interrupt_db.emplace(options.stop->on_cancel([l = load.get()] { l->interrupt(); }));
    s.decode_options.with_seq = load->staged();
    RunEnd end;
    if (!job.source->lookup.empty()) {
      load_lookups(s);
      ProjectRead all;
      all.key_rejects = s.key_rejects;
      end.projects.push_back(all);
    } else {
      end.projects = load_packages(s, resolve_projects(s));
    }
    end.complete = true;
    end.pages = s.pages_done;
    end.rows_read = s.rows_read;
    end.messages = s.messages;
    outcome.counts = load->commit(end);
    s.messages = outcome.counts.messages;
    outcome.succeeded = true;
  } catch (const std::exception& e) {
    outcome.error = redact(e.what(), job.api_key);
    // Whatever the interrupted step reported (an aborted request, a cancelled statement), the
    // run was cancelled: say so first.
    if (options.cancel && options.cancel->load() && outcome.error.rfind("run cancelled", 0) != 0)
      outcome.error = "run cancelled (shutting down): " + outcome.error;
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
  outcome.skipped_projects = std::move(s.skipped_projects);
  outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  for (const auto& m : outcome.messages) spdlog::info("[{} {}] warning: {}", job.name, outcome.run_id, m);
  if (outcome.succeeded)
    spdlog::info("[{} {}] {}", job.name, outcome.run_id, outcome.summary());
  else
    spdlog::error("[{} {}] {}", job.name, outcome.run_id, outcome.summary());
  return outcome;
}

}  // namespace ccetl
