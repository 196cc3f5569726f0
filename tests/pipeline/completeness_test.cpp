// Deletes and full refreshes run only on reads proven complete, per project (docs/warehouse.md,
// "Complete"). Each case makes the simulator serve a package that changes while it is read, and
// shows the rows a sum-based check would lose.
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

const char* kFields = R"("fields": [{"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"}])";

std::string rows(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "BUG-%04d", i);
    out += std::string(out.empty() ? "" : ",") + "[\"" + id + "\", \"s\"]";
  }
  return out;
}

std::string dataset(const std::string& project, const std::string& rows_json, int per_page = 3,
                    const std::string& format = "json") {
  return R"({"path": "/projects/)" + project + R"(/feedbackDataPackages/Bugs", "format": ")" + format +
         R"(", "resultsPerPage": )" + std::to_string(per_page) + ", " + kFields + R"(, "rows": [)" + rows_json + "]}";
}

std::string job(const std::string& name, const std::string& deletes, const std::string& extra = "") {
  return "  - name: " + name + "\n    source: {scope: project_feedback, project: WidgetPro, report: Bugs}\n" +
         "    key: [ID]\n    deletes: " + deletes + "\n" + extra;
}

std::string messages_of(SyncHarness& h, const std::string& run_id) {
  auto r = h.query("SELECT coalesce(messages, '') FROM ccetl.runs WHERE run_id = '" + run_id + "'");
  return r[0][0].c_str();
}

}  // namespace

TEST_CASE("a row inserted at the front after page 1 was served deletes nothing", "[completeness]") {
  SyncHarness h;
  h.put_dataset(dataset("WidgetPro", rows(1, 9)));  // pages of 3: 3, 3, 3
  const std::string deletes = GENERATE(std::string("hard"), std::string("soft"));
  Config config = h.config(job("bugs", deletes));
  REQUIRE(h.run(config, "bugs").succeeded);

  // From page 2 on the package has one more row at the front: page 2 repeats BUG-0003 and
  // BUG-0009 slides onto a page 4 that page 1's totalPages (3) never announced. Rows read (9)
  // still equal page 1's totalResults (9).
  h.put_faults(R"({"rules": [{"kind": "rows_insert", "path": "Bugs", "page": 2, "count": 1}]})");
  JobOutcome shifted = h.run(config, "bugs");
  INFO(deletes << ": " << shifted.summary());
  REQUIRE(shifted.succeeded);
  CHECK(shifted.counts.rows_read == 9);
  CHECK(shifted.counts.duplicates == 1);  // the fault fired: one row came twice
  CHECK(shifted.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE id = 'BUG-0009'" +
                std::string(deletes == "soft" ? " AND _deleted_at IS NULL" : "")) == 1);
  std::string msgs = messages_of(h, shifted.run_id);
  CHECK_THAT(msgs, Catch::Contains("deletes skipped"));
  CHECK_THAT(msgs, Catch::Contains("page 2 reported totalResults 10 and totalPages 4, page 1 9 and 3"));
}

TEST_CASE("a shift that leaves the announced totals stale is caught by the distinct-key count", "[completeness]") {
  SyncHarness h;
  h.put_dataset(dataset("WidgetPro", rows(1, 9)));
  Config config = h.config(job("bugs", "hard"));
  REQUIRE(h.run(config, "bugs").succeeded);
  h.put_faults(R"({"rules": [{"kind": "rows_insert", "path": "Bugs", "page": 2, "count": 1, "staleTotals": true}]})");
  JobOutcome shifted = h.run(config, "bugs");
  INFO(shifted.summary());
  REQUIRE(shifted.succeeded);
  CHECK(shifted.counts.rows_read == 9);
  CHECK(shifted.counts.duplicates == 1);  // the fault fired
  CHECK(shifted.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 9);
  CHECK_THAT(messages_of(h, shifted.run_id), Catch::Contains("8 distinct keys + 0 distinct rows rejected for a bad key = 8 rows of 9"));

  // The same package read without the shift is complete, and a row really gone is deleted.
  h.put_faults(R"({"rules": []})");
  h.put_dataset(dataset("WidgetPro", rows(1, 8)));
  JobOutcome clean = h.run(config, "bugs");
  REQUIRE(clean.succeeded);
  CHECK(clean.counts.deleted == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE id = 'BUG-0009'") == 0);
}

TEST_CASE("a bad-key row read twice counts once: it cannot stand in for a row never read", "[completeness][keys]") {
  SyncHarness h;
  // Row 3 has an empty key. Pages of 3: [1, 2, ""], [4, 5, 6], [7, 8, 9].
  const std::string blank = R"(["", "blank"])";
  h.put_dataset(dataset("WidgetPro", rows(1, 2) + "," + blank + "," + rows(4, 9)));
  Config config = h.config(job("bugs", "hard"));
  JobOutcome first = h.run(config, "bugs");
  REQUIRE(first.succeeded);
  REQUIRE(h.count("SELECT count(*) FROM centercode.bugs") == 8);
  // From page 2 on one row more at the front, totals left stale: page 2 repeats the blank-key
  // row and BUG-0009 is never served. Counted per page, 7 distinct keys + 2 bad-key rejects
  // would equal the 9 announced and BUG-0009 would be deleted although it was never read.
  h.put_faults(R"({"rules": [{"kind": "rows_insert", "path": "Bugs", "page": 2, "count": 1, "staleTotals": true}]})");
  JobOutcome shifted = h.run(config, "bugs");
  INFO(shifted.summary());
  REQUIRE(shifted.succeeded);
  CHECK(shifted.counts.rows_read == 9);
  // The fault fired: the blank-key row was served (and rejected) twice.
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE run_id = '" + shifted.run_id +
                "' AND reason = 'empty key field ''ID'''") == 2);
  CHECK(shifted.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE id = 'BUG-0009'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 8);
  CHECK_THAT(messages_of(h, shifted.run_id),
             Catch::Contains("deletes skipped: the read is incomplete: 7 distinct keys + 1 distinct rows rejected "
                             "for a bad key = 8 rows of 9 announced (totalResults)"));
}

TEST_CASE("fan-out: one project's shortfall is not hidden by another's, deletes are per project", "[completeness]") {
  SyncHarness h;
  h.put_dataset(dataset("Alpha", rows(1, 9)));
  h.put_dataset(dataset("Beta", rows(1, 9)));
  Config config = h.config(R"(  - name: all_bugs
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
    deletes: hard
)");
  REQUIRE(h.run(config, "all_bugs").succeeded);
  // Alpha shifts under the read (its BUG-0009 is never seen); Beta really lost BUG-0009.
  // Summed, 17 rows were read of 17 announced; per project, only Beta's read is complete.
  h.put_dataset(dataset("Beta", rows(1, 8)));
  h.put_faults(
      R"({"rules": [{"kind": "rows_insert", "path": "/projects/Alpha/", "page": 2, "count": 1, "staleTotals": true}]})");
  JobOutcome run = h.run(config, "all_bugs");
  INFO(run.summary());
  REQUIRE(run.succeeded);
  CHECK(run.counts.duplicates == 1);  // the fault fired, in Alpha
  CHECK(run.counts.deleted == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.all_bugs WHERE project_key = 'Alpha'") == 9);
  CHECK(h.count("SELECT count(*) FROM centercode.all_bugs WHERE project_key = 'Beta'") == 8);
  CHECK_THAT(messages_of(h, run.run_id), Catch::Contains("deletes skipped for project 'Alpha'"));
}

TEST_CASE("a full refresh replaces only a complete snapshot", "[completeness]") {
  SyncHarness h;
  h.put_dataset(dataset("WidgetPro", rows(1, 9)));  // pages of 3: 3, 3, 3
  Config config = h.config(R"(  - name: snap
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
)");
  REQUIRE(h.run(config, "snap").succeeded);

  // A row inserted at the front after page 1, with totals that follow: page 2 repeats BUG-0003
  // and BUG-0009 slides onto a page 4 that page 1 never announced. 9 rows are read of the 9
  // page 1 announced, so only the comparison of every page's totals with page 1's tells.
  h.put_faults(R"({"rules": [{"kind": "rows_insert", "path": "Bugs", "page": 2, "count": 1}]})");
  JobOutcome grown = h.run(config, "snap");
  INFO(grown.summary());
  REQUIRE(grown.succeeded);
  CHECK(grown.counts.rows_read == 9);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE run_id = '" + grown.run_id + "'") == 0);
  CHECK(grown.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.snap") == 9);
  CHECK(h.count("SELECT count(*) FROM centercode.snap WHERE id = 'BUG-0009'") == 1);  // not replaced
  CHECK(h.count("SELECT count(*) FROM centercode.snap WHERE id = 'BUG-0003'") == 1);
  std::string msgs = messages_of(h, grown.run_id);
  CHECK_THAT(msgs, Catch::Contains("full refresh skipped"));
  CHECK_THAT(msgs, Catch::Contains("page 2 reported totalResults 10 and totalPages 4, page 1 9 and 3"));

  // A row deleted at the front with totals left stale: one row is never served and the rows
  // read fall short of totalResults.
  h.put_faults(R"({"rules": [{"kind": "rows_delete", "path": "Bugs", "page": 2, "count": 1, "staleTotals": true}]})");
  JobOutcome shrunk = h.run(config, "snap");
  INFO(shrunk.summary());
  REQUIRE(shrunk.succeeded);
  CHECK(shrunk.counts.rows_read == 8);  // the fault fired: one row was skipped
  CHECK(shrunk.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.snap") == 9);
  CHECK_THAT(messages_of(h, shrunk.run_id), Catch::Contains("full refresh skipped: the read is incomplete: 8 rows"));
}

TEST_CASE("a CSV package cut short never deletes or replaces", "[completeness][csv]") {
  SyncHarness h;
  // Loaded complete from JSON first; then the package is served as CSV, which carries no totals,
  // and loses a row at the front after page 1 was served, so one row is never seen.
  h.put_dataset(dataset("WidgetPro", rows(1, 9)));
  Config config = h.config(job("keyed", "hard") + R"(  - name: snap
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
)");
  REQUIRE(h.run(config, "keyed").succeeded);
  REQUIRE(h.run(config, "snap").succeeded);
  REQUIRE(h.count("SELECT count(*) FROM centercode.snap") == 9);
  h.put_dataset(dataset("WidgetPro", rows(1, 9), 3, "csv"));
  h.put_faults(R"({"rules": [{"kind": "rows_delete", "path": "Bugs", "page": 2, "count": 1}]})");
  for (const char* name : {"keyed", "snap"}) {
    JobOutcome run = h.run(config, name);
    INFO(run.summary());
    REQUIRE(run.succeeded);
    CHECK(run.counts.rows_read == 8);  // the fault fired: BUG-0004 was never served
    CHECK(run.counts.deleted == 0);
    CHECK_THAT(messages_of(h, run.run_id), Catch::Contains("CSV packages carry no totalResults"));
  }
  CHECK(h.count("SELECT count(*) FROM centercode.keyed WHERE id = 'BUG-0004'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.snap") == 9);
}

TEST_CASE("empty keys are rejected and counted, in JSON and CSV", "[completeness][keys]") {
  SyncHarness h;
  const std::string format = GENERATE(std::string("json"), std::string("csv"));
  const std::string blanks = R"(["", "blank 1"], ["", "blank 2"], [null, "null"])";
  h.put_dataset(dataset("WidgetPro", rows(1, 3) + "," + blanks, 3, format));
  Config config = h.config(job("bugs", "hard"));
  JobOutcome first = h.run(config, "bugs");
  INFO(format << ": " << first.summary());
  REQUIRE(first.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 3);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE id = ''") == 0);
  CHECK(first.counts.duplicates == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE run_id = '" + first.run_id + "' AND field = 'ID'") == 3);
  // JSON values [""] and a quoted CSV "" are empty keys; JSON values [] and an unquoted empty
  // CSV cell are missing ones.
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE run_id = '" + first.run_id +
                "' AND reason = 'empty key field ''ID'''") == 2);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE run_id = '" + first.run_id +
                "' AND reason LIKE '% key field ''ID'''") == 3);
  if (format == "json") {
    // Rows rejected for a bad key count towards totalResults: 2 keys + 3 rejects = 5 announced,
    // so the read is complete and the row really gone is deleted.
    h.put_dataset(dataset("WidgetPro", rows(1, 2) + "," + blanks, 3, format));
    JobOutcome second = h.run(config, "bugs");
    INFO(second.summary());
    REQUIRE(second.succeeded);
    CHECK(second.counts.deleted == 1);
    CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 2);
  }
}
