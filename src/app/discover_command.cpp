// `ccetl discover`: fetch the first page of a job, show its fields, the DDL a run would apply
// and what a full run will cost in requests and time. Changes nothing.
#include <cstdio>
#include <memory>

#include "api/endpoints.h"
#include "app/commands.h"
#include "app/load_config_or_report.h"
#include "app/logging.h"
#include "core/error.h"
#include "core/redact.h"
#include "package/decoder.h"
#include "pipeline/client_options.h"
#include "pipeline/job_run.h"
#include "warehouse/queries.h"
#include "warehouse/connection_defaults.h"

namespace ccetl {
namespace {

int discover(const Config& config, const JobSpec& job) {
  if (!job.source) throw Error(ErrorKind::Config, "job '" + job.name + "' is a push job; discover reads pull jobs");
  const SourceSpec& src = *job.source;
  auto client = make_client(client_options_for(config.centercode));
  std::string project = src.project;
  int64_t projects = 1;
  if (!job.projects.empty()) {
    project = job.projects.front();
    projects = static_cast<int64_t>(job.projects.size());
  } else if (!job.projects_from_job.empty()) {
    auto values = distinct_field_values(config.warehouse.dsn, job.projects_from_job, job.projects_from_field);
    if (values.empty()) throw Error(ErrorKind::Data, "projects_from: no projects found yet");
    project = values.front();
    projects = static_cast<int64_t>(values.size());
  }
  Decoder decoder;
  DecodeOptions options;
  options.key_fields = job.key;
  DecodedPage page;
  int64_t requests = 0;
  if (!src.lookup.empty()) {
    std::vector<std::string> finds = job.find;
    if (!job.find_sql.empty()) {
      for (const auto& row : run_read_query(config.warehouse.dsn, job.find_sql).rows)
        if (row[0]) finds.push_back(*row[0]);
    }
    if (finds.empty()) throw Error(ErrorKind::Data, "no find values to look up");
    Response r = client->get(endpoints::record_lookup(src.scope, src.project, src.lookup, finds.front()), job.api_key);
    decoder.decode_record_lookup(r.body, options, 1, page);
    requests = static_cast<int64_t>(finds.size());
  } else {
    Response r = client->get(endpoints::data_package(src.scope, project, src.report, 1), job.api_key);
    bool csv = src.format == "csv" || (src.format.empty() && r.content_type == "text/csv");
    if (csv) {
      decoder.decode_csv(r.body, options, 1, page);
      requests = -1;
    } else {
      decoder.decode_data_package(r.body, options, 1, page);
      requests = std::max<int64_t>(1, page.paging.total_pages) * projects;
    }
  }
  std::printf("job %s: %zu fields\n", job.name.c_str(), page.fields.size());
  auto warehouse = connect_warehouse(config.warehouse.dsn);
  SchemaPlan plan = warehouse->plan(table_spec_for(config, job), page.fields);
  std::printf("  %-40s %-10s %-40s %s\n", "field", "type", "column", "sql type");
  for (size_t i = 0; i < page.fields.size() && i < plan.columns.size(); ++i)
    std::printf("  %-40s %-10s %-40s %s\n", page.fields[i].name.c_str(),
                std::string(to_string(page.fields[i].type)).c_str(), plan.columns[i].column_name.c_str(),
                plan.columns[i].sql_type.c_str());
  std::printf("\n%s\n", plan.table_exists ? "changes to the existing table:" : "the table will be created:");
  if (plan.ddl.empty()) std::printf("  (none: the table already matches)\n");
  for (const auto& ddl : plan.ddl) std::printf("%s;\n", ddl.c_str());
  for (const auto& note : plan.notes) std::printf("note: %s\n", note.c_str());
  if (page.paging.present)
    std::printf("\n%lld rows in %lld pages", static_cast<long long>(page.paging.total_results),
                static_cast<long long>(page.paging.total_pages));
  if (requests >= 0) {
    double seconds = static_cast<double>(requests) / config.centercode.rate_limit;
    std::printf("\na full run makes %lld request(s): about %.0f s at %.0f requests/s\n",
                static_cast<long long>(requests), seconds, config.centercode.rate_limit);
  } else {
    std::printf("\nCSV endpoint: pages are read until an empty one; the request count is not known in advance\n");
  }
  return kExitOk;
}

}  // namespace

int discover_command(const DiscoverArgs& args) {
  auto config = load_config_or_report(args.config_path);
  if (!config) return kExitUsage;
  config->warehouse.dsn = warehouse::with_connection_defaults(config->warehouse.dsn, config->warehouse.statement_timeout);
  const JobSpec* job = config->find_job(args.job);
  if (!job) {
    report_error("ccetl: no job named '" + args.job + "' in " + args.config_path);
    return kExitUsage;
  }
  try {
    return discover(*config, *job);
  } catch (const Error& e) {
    report_error("ccetl: discover " + job->name + ": " + redact(e.what(), job->api_key));
    return e.kind() == ErrorKind::Config ? kExitUsage : kExitJobFailed;
  }
}

}  // namespace ccetl
