// Record lookups end to end: one request per find value, loaded like data packages.
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

TEST_CASE("record lookups in all four scopes load one row per found record") {
  SyncHarness h;
  Config config = h.config(R"(  - name: user_score
    source: {scope: community_user, lookup: UserScore}
    find: [jim@centercode.com]
  - name: project_stats
    source: {scope: community_project, lookup: ProjectStats}
    find: [WidgetPro]
  - name: user_stats
    source: {scope: project_user, project: WidgetPro, lookup: UserStats}
    find: [jim@centercode.com]
  - name: bug_reports
    source: {scope: project_feedback, project: WidgetPro, lookup: BugReports}
    find: [BUG-0001]
    key: [ID]
)");
  for (const char* job : {"user_score", "project_stats", "user_stats", "bug_reports"}) {
    JobOutcome outcome = h.run(config, job);
    INFO(job << ": " << outcome.summary());
    CHECK(outcome.succeeded);
  }
  CHECK(h.count("SELECT community_score_total FROM centercode.user_score") == -825000);
  CHECK(h.count("SELECT total_feedback FROM centercode.project_stats") == 52);
  CHECK(h.count("SELECT of_bug_report_replies FROM centercode.user_stats") == 24);
  CHECK(h.count("SELECT count(*) FROM centercode.bug_reports WHERE date_added = '2015-02-08 19:37:00' "
                "AND steps_to_reproduce LIKE '%Wifi is never detected.' AND closure_reason IS NULL") == 1);
  // The request carried find URL-encoded, with one '?'.
  auto requests = h.admin().get("/_sim/requests").body;
  CHECK_THAT(requests, Catch::Contains("find=jim%40centercode.com"));
}

TEST_CASE("a lookup that finds nothing is recorded per key and does not fail the job; find_sql supplies values") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackRecordLookups/Bugs",
                    "fields": [{"name": "ID", "dataType": "string"}, {"name": "Votes", "dataType": "integer"}],
                    "records": {"BUG-1": ["BUG-1", 3], "BUG 2/ü": ["BUG 2/ü", 5]}})");
  Config config = h.config(R"YAML(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, lookup: Bugs}
    find_sql: "SELECT * FROM (VALUES ('BUG-1'), ('NOPE-9'), ('BUG 2/ü')) AS t(k)"
    key: [ID]
)YAML");
  JobOutcome outcome = h.run(config, "bugs");
  INFO(outcome.summary() << " " << outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 2);
  CHECK(h.count("SELECT votes FROM centercode.bugs WHERE id = 'BUG 2/ü'") == 5);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE job = 'bugs' AND raw_value = 'NOPE-9' AND reason LIKE '%404%'") == 1);
  // A second run with the same answers changes nothing.
  JobOutcome again = h.run(config, "bugs");
  REQUIRE(again.succeeded);
  CHECK(again.counts.unchanged == 2);
}
