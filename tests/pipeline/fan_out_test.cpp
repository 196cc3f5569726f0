// Fan-out jobs that keep working when projects come and go and carry different fields.
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

std::string package(const std::string& project, const std::string& fields, const std::string& rows,
                    const std::string& api_key = "") {
  return R"({"path": "/projects/)" + project + R"(/feedbackDataPackages/Bugs", )" +
         (api_key.empty() ? std::string() : R"("apiKey": ")" + api_key + R"(", )") + R"("fields": [)" + fields +
         R"(], "rows": [)" + rows + "]}";
}

std::string project_list(const std::string& rows) {
  return R"({"path": "/projectDataPackages/Projects", "fields": [{"name": "Project Key", "dataType": "string"}],
             "rows": [)" + rows + "]}";
}

const char* kId = R"({"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"})";

size_t occurrences_in_log(SyncHarness& h, const std::string& part) {
  std::string log = h.admin().get("/_sim/requests").body;
  size_t n = 0;
  for (size_t pos = log.find(part); pos != std::string::npos; pos = log.find(part, pos + 1)) ++n;
  return n;
}

size_t requests_for(SyncHarness& h, const std::string& part) {
  std::string log = h.admin().get("/_sim/requests").body;
  size_t n = 0;
  for (size_t pos = log.find(part); pos != std::string::npos; pos = log.find(part, pos + 1)) ++n;
  return n;
}

const char* kJobs = R"(  - name: projects
    source: {scope: community_project, report: Projects}
    key: [Project Key]
    deletes: soft
  - name: every_bug
    source: {scope: project_feedback, report: Bugs}
    projects_from: {job: projects, field: "Project Key"}
    key: [ID]
    deletes: hard
)";

}  // namespace

TEST_CASE("fan-out: a 404 project is skipped, soft-deleted projects are left out, fields are unioned",
          "[fanout]") {
  SyncHarness h;
  h.put_dataset(project_list(R"(["Alpha"], ["Beta"], ["Gamma"], ["Delta"])"));
  h.put_dataset(package("Alpha", std::string(kId) + R"(, {"name": "Score", "dataType": "integer"})",
                        R"(["A1", "a", 1], ["A2", "a", 2], ["A3", "a", 3])"));
  h.put_dataset(package("Beta", std::string(kId) + R"(, {"name": "Severity", "dataType": "string"})",
                        R"(["B1", "b", "High"])"));
  h.put_dataset(package("Gamma", kId, R"(["G1", "g"])"));
  h.put_dataset(package("Delta", kId, R"(["D1", "d"])"));
  Config config = h.config(kJobs);
  REQUIRE(h.run(config, "projects").succeeded);
  JobOutcome first = h.run(config, "every_bug");
  INFO(first.summary() << " " << first.error);
  REQUIRE(first.succeeded);
  // One table, the union of the fields; NULL where a project has no such field.
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug") == 6);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug WHERE project_key = 'Beta' AND severity = 'High' "
                "AND score IS NULL") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug WHERE project_key = 'Alpha' AND score = 2 "
                "AND severity IS NULL") == 1);
  CHECK(h.count("SELECT count(*) FROM ccetl.columns WHERE job = 'every_bug' AND field_name IN ('Score', 'Severity')") ==
        2);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug_v WHERE \"Severity\" = 'High' AND \"Score\" IS NULL") == 1);

  // Delta is archived: gone from the list (soft-deleted there) and its package answers 404.
  // Gamma is still listed but its package answers 404. Alpha really lost A3.
  h.put_dataset(project_list(R"(["Alpha"], ["Beta"], ["Gamma"])"));
  REQUIRE(h.run(config, "projects").succeeded);
  // The base table keeps soft-deleted rows (the `_v` view shows live rows only).
  REQUIRE(h.count("SELECT count(*) FROM centercode.projects WHERE f_project_key = 'Delta' AND _deleted_at IS NOT NULL") == 1);
  REQUIRE(h.admin().request("DELETE", "/_sim/datasets?path=/projects/Delta/feedbackDataPackages/Bugs").status == 200);
  REQUIRE(h.admin().request("DELETE", "/_sim/datasets?path=/projects/Gamma/feedbackDataPackages/Bugs").status == 200);
  h.put_dataset(package("Alpha", std::string(kId) + R"(, {"name": "Score", "dataType": "integer"})",
                        R"(["A1", "a", 1], ["A2", "a", 2])"));
  const size_t delta_requests = requests_for(h, "/projects/Delta/");
  const size_t gamma_requests = requests_for(h, "/projects/Gamma/");

  JobOutcome second = h.run(config, "every_bug");
  INFO(second.summary() << " " << second.error);
  REQUIRE(second.succeeded);
  CHECK(requests_for(h, "/projects/Delta/") == delta_requests);  // not asked: soft-deleted in the list
  CHECK(requests_for(h, "/projects/Gamma/") == gamma_requests + 1);  // asked once, answered 404
  CHECK(second.skipped_projects == std::vector<std::string>{"Gamma"});
  CHECK_THAT(second.summary(), Catch::Contains("1 project(s) skipped (404): Gamma"));
  CHECK_THAT(h.query("SELECT messages FROM ccetl.runs WHERE run_id = '" + second.run_id + "'")[0][0].c_str(),
             Catch::Contains("project 'Gamma' skipped"));
  // The skipped and the unlisted project keep their rows; the complete one lost A3.
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug WHERE project_key = 'Gamma'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug WHERE project_key = 'Delta'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug WHERE project_key = 'Alpha'") == 2);
  CHECK(second.counts.deleted == 1);
}

TEST_CASE("fan-out: a field typed differently in two projects loads as text; keys match by name", "[fanout]") {
  SyncHarness h;
  h.put_dataset(package("Alpha", std::string(kId) + R"(, {"name": "Score", "dataType": "integer"})", R"(["A1", "a", 7])"));
  // Beta's key field carries a questionId (another identity than Alpha's): still the key column.
  h.put_dataset(package("Beta",
                        R"({"name": "ID", "dataType": "string", "questionId": "q9"}, {"name": "Summary", "dataType": "string"},
                           {"name": "Score", "dataType": "double"})",
                        R"(["B1", "b", 0.5])"));
  Config config = h.config(R"(  - name: mixed
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
)");
  JobOutcome run = h.run(config, "mixed");
  INFO(run.summary() << " " << run.error);
  REQUIRE(run.succeeded);
  CHECK(h.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'mixed' AND column_name = 'score'")[0][0]
            .c_str() == std::string("text"));
  CHECK(h.count("SELECT count(*) FROM centercode.mixed WHERE (id, score) IN (('A1', '7'), ('B1', '0.5'))") == 2);
  CHECK(h.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'mixed' AND column_name LIKE 'id%'") == 1);
  bool noted = false;
  for (const auto& m : run.messages) noted = noted || m.find("loaded as text") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("fan-out: a 403 or a 5xx for one project fails the whole run and changes nothing", "[fanout]") {
  SyncHarness h;
  h.put_dataset(package("Alpha", kId, R"(["A1", "a"])"));
  h.put_dataset(package("Beta", kId, R"(["B1", "b"])"));
  Config config = h.config(R"(  - name: both
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
    deletes: hard
)", "  max_attempts: 2\n");
  REQUIRE(h.run(config, "both").succeeded);
  const std::string before =
      h.query("SELECT string_agg(project_key || id || summary, ',' ORDER BY 1) FROM centercode.both")[0][0].c_str();
  h.put_dataset(package("Alpha", kId, R"(["A1", "changed"], ["A2", "new"])"));

  // The failing run, checked inside each section (a section without assertions is an error).
  auto fails_changing_nothing = [&] {
    JobOutcome run = h.run(config, "both");
    INFO(run.summary());
    CHECK_FALSE(run.succeeded);
    CHECK_THAT(run.error, Catch::Contains("project 'Beta'"));
    CHECK(run.skipped_projects.empty());
    CHECK(h.query("SELECT string_agg(project_key || id || summary, ',' ORDER BY 1) FROM centercode.both")[0][0].c_str() ==
          before);
  };
  SECTION("403") {
    h.put_dataset(package("Beta", kId, R"(["B1", "b"])", "another-key-1234567"));
    fails_changing_nothing();
  }
  SECTION("503 after retries") {
    h.put_faults(R"({"rules": [{"kind": "error", "status": 503, "path": "/projects/Beta/"}]})");
    fails_changing_nothing();
  }
}

TEST_CASE("fan-out: a project whose package vanishes while it is read is skipped, what was read of it discarded",
          "[fanout]") {
  SyncHarness h;
  h.put_dataset(package("Alpha", kId, R"(["A1", "a"])"));
  h.put_dataset(package("Beta", kId, R"(["B1", "b"])"));
  Config config = h.config(R"(  - name: both
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
    deletes: hard
)");
  // Into a table loaded before (staged merge), or into the new table of a first load.
  const bool first_load = GENERATE(false, true);
  if (!first_load) REQUIRE(h.run(config, "both").succeeded);
  // Beta now has three pages (B1 changed, B2, B3 new) but page 2 answers 404; Alpha gains A2.
  h.put_dataset(R"({"path": "/projects/Beta/feedbackDataPackages/Bugs", "resultsPerPage": 1, "fields": [)" +
                std::string(kId) + R"(], "rows": [["B1", "changed"], ["B2", "x"], ["B3", "y"]]})");
  h.put_dataset(package("Alpha", kId, R"(["A1", "a"], ["A2", "a"])"));
  h.put_faults(R"({"rules": [{"kind": "error", "status": 404, "path": "/projects/Beta/", "page": 2}]})");
  JobOutcome run = h.run(config, "both");
  INFO(run.summary() << " " << run.error);
  REQUIRE(run.succeeded);
  CHECK(run.skipped_projects == std::vector<std::string>{"Beta"});
  CHECK(h.count("SELECT count(*) FROM centercode.both WHERE project_key = 'Alpha'") == 2);
  // Beta's page 1 was staged before the 404: discarded, so B1 keeps its old content.
  INFO((first_load ? "first load" : "staged"));
  CHECK(h.query("SELECT coalesce(string_agg(id || ':' || summary, ',' ORDER BY id), '') FROM centercode.both "
                "WHERE project_key = 'Beta'")[0][0]
            .c_str() == std::string(first_load ? "" : "B1:b"));
  CHECK(run.counts.rows_read == 2);  // Alpha's rows only
  CHECK(occurrences_in_log(h, R"("fault":"error")") >= 1);  // the 404 fired
}
