// `ccetl validate` warns about CSV jobs that ask for deletes or a full refresh: a CSV package
// carries no paging information, so no read of it is proven complete and neither ever happens
// (docs/warehouse.md, "Complete"). The file still validates.
#include "config/warnings.h"

#include "config_test_util.h"

using namespace ccetl;
using namespace ccetl::test;

TEST_CASE("CSV jobs with deletes or without a key are warned about, naming the job and its line", "[config]") {
  // Line numbers: kHeader is 4 lines, "jobs:" is line 5.
  auto path = write_temp("csv_warnings.yaml", kHeader +
                                                  "jobs:\n"
                                                  "  - name: csv_hard\n"  // line 6
                                                  "    source: {scope: project_feedback, project: P, report: Bugs, format: csv}\n"
                                                  "    key: [ID]\n"
                                                  "    deletes: hard\n"
                                                  "  - name: csv_snapshot\n"  // line 10
                                                  "    source: {scope: project_feedback, project: P, report: Bugs, format: csv}\n"
                                                  "  - name: csv_keep\n"
                                                  "    source: {scope: project_feedback, project: P, report: Bugs, format: csv}\n"
                                                  "    key: [ID]\n"
                                                  "  - name: json_hard\n"
                                                  "    source: {scope: project_feedback, project: P, report: Bugs, format: json}\n"
                                                  "    key: [ID]\n"
                                                  "    deletes: soft\n"
                                                  "  - name: auto_snapshot\n"
                                                  "    source: {scope: project_feedback, project: P, report: Bugs}\n");
  Config config = load_config(path, default_env());
  auto warnings = config_warnings(config);
  std::string all;
  for (const auto& w : warnings) all += w.to_string() + "\n";
  INFO(all);
  REQUIRE(warnings.size() == 2);
  CHECK(warnings[0].mark.line == 6);
  CHECK_THAT(warnings[0].to_string(), Catch::StartsWith(path + ":6:") &&
                                          Catch::Contains("warning: job 'csv_hard'") &&
                                          Catch::Contains("deletes: hard never deletes a row"));
  CHECK(warnings[1].mark.line == 10);
  CHECK_THAT(warnings[1].to_string(), Catch::StartsWith(path + ":10:") &&
                                          Catch::Contains("warning: job 'csv_snapshot'") &&
                                          Catch::Contains("never replaces the table"));
}
