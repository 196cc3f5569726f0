// End-to-end runs of pull jobs: the real simulator over loopback HTTP, a real PostgreSQL.
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

const char* kBugsFields = R"("fields": [
  {"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
  {"name": "Score", "dataType": "integer"}, {"name": "Ratio", "dataType": "double"},
  {"name": "Opened", "dataType": "date"}, {"name": "Blocker", "dataType": "boolean"},
  {"name": "Platforms", "dataType": "string"}])";

std::string bugs_dataset(const std::string& rows, int per_page = 1000, const std::string& path = "/projects/WidgetPro/feedbackDataPackages/Bugs") {
  return std::string(R"({"path": ")") + path + R"(", "resultsPerPage": )" + std::to_string(per_page) + ", " +
         kBugsFields + R"(, "rows": [)" + rows + "]}";
}

const char* kBugsJob = R"(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
)";

std::string bug_row(int i, const std::string& summary = "crash", int score = 0) {
  char id[32];
  std::snprintf(id, sizeof id, "BUG-%04d", i);
  return std::string("[\"") + id + "\", \"" + summary + "\", " + std::to_string(score ? score : i) +
         ", 0.5, \"2024-02-29T10:00:00\", true, [\"iOS\", \"Android\"]]";
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::string bug_rows(int from, int to, const std::string& summary = "crash") {
  std::string out;
  for (int i = from; i <= to; ++i) out += (out.empty() ? "" : ",") + bug_row(i, summary);
  return out;
}

}  // namespace

TEST_CASE("the reference's four data-package scopes land as typed, commented tables") {
  SyncHarness h;
  Config config = h.config(R"(  - name: feedback_scores
    source: {scope: project_feedback, project: WidgetPro, report: FeedbackScores}
    key: [ID]
  - name: user_totals
    source: {scope: community_project, report: UserTotals}
  - name: negative_score
    source: {scope: community_user, report: NegativeScore}
  - name: user_feedback_totals
    source: {scope: project_user, project: WidgetPro, report: UserFeedbackTotals}
    key: ["First L. Name"]
)");
  for (const char* job : {"feedback_scores", "user_totals", "negative_score", "user_feedback_totals"}) {
    JobOutcome outcome = h.run(config, job);
    INFO(outcome.summary());
    CHECK(outcome.succeeded);
  }
  CHECK(h.count("SELECT count(*) FROM centercode.feedback_scores") == 5);
  // The reference's UserTotals example announces totalResults 21 but carries 3 rows: a full
  // refresh that is known to be incomplete must not replace the table.
  CHECK(h.count("SELECT count(*) FROM centercode.user_totals") == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE job = 'user_totals' AND messages LIKE '%totalResults%'") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.negative_score") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.user_feedback_totals") == 8);
  // Typed columns, commented with the original field names.
  auto types = h.query(
      "SELECT column_name, data_type, col_description('centercode.user_totals'::regclass, ordinal_position) "
      "FROM information_schema.columns WHERE table_schema = 'centercode' AND table_name = 'user_totals' "
      "ORDER BY ordinal_position");
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (const auto& row : types) by_name[row[0].c_str()] = {row[1].c_str(), row[2].is_null() ? "" : row[2].c_str()};
  CHECK(by_name["creation_date"].first == "timestamp without time zone");
  CHECK(by_name["creation_date"].second == "Creation Date");
  CHECK(by_name["active_users"].first == "bigint");
  CHECK(h.count("SELECT count(*) FROM centercode.feedback_scores WHERE popularity_score = 11 AND id = 'BUG-0001'") == 1);
  CHECK(h.count("SELECT \"Community Score Total\" FROM centercode.negative_score_v") == -825000);
  // Empty cells are NULL.
  CHECK(h.count("SELECT count(*) FROM centercode.user_feedback_totals WHERE of_bug_report_replies IS NULL") == 2);
  // The run is recorded.
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'succeeded'") == 4);
}

TEST_CASE("paging reads every page; an unchanged resync rewrites no row") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 25), 4));  // 7 pages
  Config config = h.config(kBugsJob);
  JobOutcome first = h.run(config, "bugs");
  INFO(first.summary());
  REQUIRE(first.succeeded);
  CHECK(first.counts.pages == 7);
  CHECK(first.counts.rows_read == 25);
  CHECK(first.counts.inserted == 25);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 25);
  // Multi-valued cells keep every value.
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE _multi_values -> 'Platforms' = '[\"iOS\", \"Android\"]'::jsonb") == 25);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE blocker AND ratio = 0.5 AND opened = '2024-02-29 10:00'") == 25);

  std::string xmins_before = h.query("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str();
  JobOutcome again = h.run(config, "bugs");
  REQUIRE(again.succeeded);
  CHECK(again.counts.unchanged == 25);
  CHECK(again.counts.inserted == 0);
  CHECK(again.counts.updated == 0);
  std::string xmins_after = h.query("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str();
  CHECK(xmins_before == xmins_after);

  // One changed row is the only row written.
  h.put_dataset(bugs_dataset(bug_rows(1, 24) + "," + bug_row(25, "fixed"), 4));
  JobOutcome changed = h.run(config, "bugs");
  REQUIRE(changed.succeeded);
  CHECK(changed.counts.updated == 1);
  CHECK(changed.counts.unchanged == 24);
  CHECK(h.query("SELECT summary FROM centercode.bugs WHERE id = 'BUG-0025'")[0][0].c_str() == std::string("fixed"));
}

TEST_CASE("duplicate keys within one run: the last row wins and is counted") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_row(1, "first") + "," + bug_row(2) + "," + bug_row(1, "second"), 2));
  Config config = h.config(kBugsJob);
  JobOutcome outcome = h.run(config, "bugs");
  REQUIRE(outcome.succeeded);
  CHECK(outcome.counts.duplicates == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 2);
  CHECK(h.query("SELECT summary FROM centercode.bugs WHERE id = 'BUG-0001'")[0][0].c_str() == std::string("second"));
}

TEST_CASE("resync with a key on two pages: the later page wins, also when it equals the stored row") {
  SyncHarness h;
  Config config = h.config(kBugsJob);
  h.put_dataset(bugs_dataset(bug_rows(1, 4), 2));
  REQUIRE(h.run(config, "bugs").succeeded);
  std::string xmins = h.query("SELECT string_agg(xmin || ':' || xmax, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str();
  // Page 1 carries BUG-0001 changed, page 2 its stored content again: nothing changes.
  h.put_dataset(bugs_dataset(bug_row(1, "changed") + "," + bug_row(2) + "," + bug_row(3) + "," + bug_row(1) + "," +
                             bug_row(4), 2));
  JobOutcome same = h.run(config, "bugs");
  REQUIRE(same.succeeded);
  CHECK(same.counts.duplicates == 1);  // the duplicate was there
  CHECK(same.counts.updated == 0);
  CHECK(same.counts.unchanged == 4);
  CHECK(h.query("SELECT summary FROM centercode.bugs WHERE id = 'BUG-0001'")[0][0].c_str() == std::string("crash"));
  CHECK(h.query("SELECT string_agg(xmin || ':' || xmax, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str() == xmins);
  // The reverse: the later page carries the change.
  h.put_dataset(bugs_dataset(bug_row(1) + "," + bug_row(2) + "," + bug_row(3) + "," + bug_row(1, "later") + "," +
                             bug_row(4), 2));
  JobOutcome later = h.run(config, "bugs");
  REQUIRE(later.succeeded);
  CHECK(later.counts.duplicates == 1);
  CHECK(later.counts.updated == 1);
  CHECK(h.query("SELECT summary FROM centercode.bugs WHERE id = 'BUG-0001'")[0][0].c_str() == std::string("later"));
}

TEST_CASE("values that do not fit are NULL and recorded in ccetl.rejects; rows without a key are rejected") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(
      R"(["BUG-1", "ok", {"fieldOrdinal": 2, "dataType": "integer", "computedValue": "lots", "values": ["lots"]}, 1, "2023-02-30", true, "iOS"],
         [null, "no key", 1, 1, "2023-01-01", false, "iOS"])"));
  Config config = h.config(kBugsJob);
  JobOutcome outcome = h.run(config, "bugs");
  INFO(outcome.summary());
  REQUIRE(outcome.succeeded);
  CHECK(outcome.counts.rejected == 3);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE score IS NULL AND opened IS NULL") == 1);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE job = 'bugs' AND field = 'Score' AND raw_value LIKE '%lots%'") == 1);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE job = 'bugs' AND field = 'Opened'") == 1);
  CHECK(h.count("SELECT count(*) FROM ccetl.rejects WHERE job = 'bugs' AND reason LIKE '%missing key%'") == 1);
}

TEST_CASE("a page that fails for good leaves the table exactly as it was") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 12), 4));
  Config config = h.config(kBugsJob, "  max_attempts: 2\n");
  REQUIRE(h.run(config, "bugs").succeeded);
  std::string before = h.query("SELECT string_agg(id || summary || xmin::text, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str();

  h.put_dataset(bugs_dataset(bug_rows(1, 12, "changed") + "," + bug_rows(13, 16), 4));
  h.put_faults(R"({"rules": [{"kind": "error", "status": 503, "path": "Bugs", "page": 3}]})");
  JobOutcome failed = h.run(config, "bugs");
  CHECK_FALSE(failed.succeeded);
  CHECK_THAT(failed.error, Catch::Contains("page 3"));
  std::string after = h.query("SELECT string_agg(id || summary || xmin::text, ',' ORDER BY id) FROM centercode.bugs")[0][0].c_str();
  CHECK(before == after);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'failed' AND error LIKE '%503%'") == 1);
  // The fault fired on both attempts (max_attempts: 2).
  CHECK(occurrences(h.admin().get("/_sim/requests").body, R"("fault":"error")") == 2);
}

TEST_CASE("429 and 5xx answers are retried and the run completes with every row") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 20), 4));
  h.put_faults(R"({"rules": [{"kind": "rate_limit", "path": "Bugs", "page": 2, "times": 2},
                             {"kind": "error", "status": 500, "path": "Bugs", "page": 4, "times": 2},
                             {"kind": "reset", "path": "Bugs", "page": 5, "times": 1},
                             {"kind": "truncate", "path": "Bugs", "page": 3, "times": 1}]})");
  Config config = h.config(kBugsJob);
  JobOutcome outcome = h.run(config, "bugs");
  INFO(outcome.summary() << " " << outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 20);
  // Every injected fault fired, as often as installed.
  const std::string log = h.admin().get("/_sim/requests").body;
  CHECK(occurrences(log, R"("fault":"rate_limit")") == 2);
  CHECK(occurrences(log, R"("fault":"error")") == 2);
  CHECK(occurrences(log, R"("fault":"reset")") == 1);
  CHECK(occurrences(log, R"("fault":"truncate")") == 1);
}

TEST_CASE("errors the API will repeat are not retried, name the job, and never show the key") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Other", "apiKey": "another-key-1234567", )" +
                std::string(kBugsFields) + R"(, "rows": []})");
  Config config = h.config(R"(  - name: forbidden
    source: {scope: project_feedback, project: WidgetPro, report: Other}
  - name: missing
    source: {scope: project_feedback, project: WidgetPro, report: NoSuchReport}
)");
  JobOutcome forbidden = h.run(config, "forbidden");
  CHECK_FALSE(forbidden.succeeded);
  CHECK_THAT(forbidden.error, Catch::Contains("403"));
  CHECK(forbidden.error.find(kKey) == std::string::npos);
  JobOutcome missing = h.run(config, "missing");
  CHECK_FALSE(missing.succeeded);
  CHECK_THAT(missing.error, Catch::Contains("404"));
  auto requests = h.admin().get("/_sim/requests");
  // One request each: a permanent error is not retried.
  size_t n = 0;
  for (size_t pos = requests.body.find("NoSuchReport"); pos != std::string::npos; pos = requests.body.find("NoSuchReport", pos + 1)) ++n;
  CHECK(n == 1);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE error LIKE '%" + kKey + "%'") == 0);
  CHECK(h.count("SELECT count(*) FROM ccetl.runs WHERE status = 'failed'") == 2);
}

TEST_CASE("CSV data packages load by their Content-Type") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/BugsCsv", "format": "csv", "resultsPerPage": 3, )" +
                std::string(kBugsFields) + ", \"rows\": [" + bug_rows(1, 7) + "]}");
  Config config = h.config(R"(  - name: bugs_csv
    source: {scope: project_feedback, project: WidgetPro, report: BugsCsv}
    key: [ID]
)");
  JobOutcome outcome = h.run(config, "bugs_csv");
  INFO(outcome.summary() << " " << outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(outcome.counts.rows_read == 7);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs_csv") == 7);
  CHECK(h.query("SELECT platforms FROM centercode.bugs_csv WHERE id = 'BUG-0003'")[0][0].c_str() == std::string("iOS, Android"));
}

TEST_CASE("fan-out runs once per project into one table keyed by project_key") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 3), 2, "/projects/Alpha/feedbackDataPackages/Bugs"));
  h.put_dataset(bugs_dataset(bug_rows(2, 5), 2, "/projects/Beta/feedbackDataPackages/Bugs"));
  Config config = h.config(R"(  - name: all_bugs
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
)");
  JobOutcome outcome = h.run(config, "all_bugs");
  INFO(outcome.summary() << " " << outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.all_bugs") == 7);
  CHECK(h.count("SELECT count(*) FROM centercode.all_bugs WHERE project_key = 'Beta'") == 4);
  CHECK(h.count("SELECT count(*) FROM centercode.all_bugs WHERE id = 'BUG-0002'") == 2);
}

TEST_CASE("fan-out over the projects another job loaded (projects_from)") {
  SyncHarness h;
  h.put_dataset(R"({"path": "/projectDataPackages/Projects", "fields": [{"name": "Project Key", "dataType": "string"}],
                    "rows": [["Alpha"], ["Beta"]]})");
  h.put_dataset(bugs_dataset(bug_rows(1, 2), 2, "/projects/Alpha/feedbackDataPackages/Bugs"));
  h.put_dataset(bugs_dataset(bug_rows(3, 3), 2, "/projects/Beta/feedbackDataPackages/Bugs"));
  Config config = h.config(R"(  - name: projects
    source: {scope: community_project, report: Projects}
    key: [Project Key]
  - name: every_bug
    source: {scope: project_feedback, report: Bugs}
    projects_from: {job: projects, field: "Project Key"}
    key: [ID]
)");
  REQUIRE(h.run(config, "projects").succeeded);
  JobOutcome outcome = h.run(config, "every_bug");
  INFO(outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.every_bug") == 3);
}

TEST_CASE("a new field becomes a new column; a vanished field keeps its column") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 3)));
  Config config = h.config(kBugsJob);
  REQUIRE(h.run(config, "bugs").succeeded);
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Bugs", "fields": [
      {"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
      {"name": "Severity", "dataType": "string"}], "rows": [["BUG-0001", "s", "High"], ["BUG-0009", "t", "Low"]]})");
  JobOutcome outcome = h.run(config, "bugs");
  INFO(outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM information_schema.columns WHERE table_name = 'bugs' AND column_name IN ('severity', 'score')") == 2);
  CHECK(h.query("SELECT severity FROM centercode.bugs WHERE id = 'BUG-0009'")[0][0].c_str() == std::string("Low"));
  CHECK(h.count("SELECT count(*) FROM centercode.bugs WHERE id = 'BUG-0002' AND score = 2") == 1);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs") == 4);
}

TEST_CASE("deletes: soft marks and hard removes rows missing from a complete run, within the ratio guard") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 10), 3));
  Config config = h.config(R"(  - name: keep_bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: keep
  - name: soft_bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: soft
  - name: hard_bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: hard
)");
  REQUIRE(h.run(config, "keep_bugs").succeeded);
  REQUIRE(h.run(config, "soft_bugs").succeeded);
  REQUIRE(h.run(config, "hard_bugs").succeeded);
  h.put_dataset(bugs_dataset(bug_rows(1, 8), 3));
  // 2 of 10 missing is within max_delete_ratio (0.5): only the delete mode decides.
  JobOutcome keep = h.run(config, "keep_bugs");
  REQUIRE(keep.succeeded);
  CHECK(keep.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.keep_bugs") == 10);
  JobOutcome soft = h.run(config, "soft_bugs");
  REQUIRE(soft.succeeded);
  CHECK(soft.counts.deleted == 2);
  CHECK(h.count("SELECT count(*) FROM centercode.soft_bugs WHERE _deleted_at IS NOT NULL") == 2);
  JobOutcome hard = h.run(config, "hard_bugs");
  REQUIRE(hard.succeeded);
  CHECK(hard.counts.deleted == 2);
  CHECK(h.count("SELECT count(*) FROM centercode.hard_bugs") == 8);
  // Removing more than max_delete_ratio (0.5) of the table deletes nothing and says why.
  h.put_dataset(bugs_dataset(bug_rows(1, 2), 3));
  JobOutcome guarded = h.run(config, "hard_bugs");
  REQUIRE(guarded.succeeded);
  CHECK(guarded.counts.deleted == 0);
  CHECK(h.count("SELECT count(*) FROM centercode.hard_bugs") == 8);
}

TEST_CASE("a full refresh replaces the snapshot and keeps users' views") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 5), 2, "/projects/WidgetPro/feedbackDataPackages/Snap"));
  Config config = h.config(R"(  - name: snap
    source: {scope: project_feedback, project: WidgetPro, report: Snap}
)");
  REQUIRE(h.run(config, "snap").succeeded);
  h.query("CREATE VIEW public.snap_report AS SELECT id, score FROM centercode.snap");
  h.put_dataset(bugs_dataset(bug_rows(4, 6), 2, "/projects/WidgetPro/feedbackDataPackages/Snap"));
  JobOutcome outcome = h.run(config, "snap");
  INFO(outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(h.count("SELECT count(*) FROM centercode.snap") == 3);
  CHECK(h.count("SELECT count(*) FROM public.snap_report WHERE id = 'BUG-0006'") == 1);
}

TEST_CASE("fields that change while paging fail the run cleanly") {
  SyncHarness h;
  h.put_dataset(bugs_dataset(bug_rows(1, 9), 3));
  h.put_faults(R"({"rules": [{"kind": "field_add", "path": "Bugs", "page": 2, "name": "Extra", "type": "string"}]})");
  Config config = h.config(kBugsJob);
  JobOutcome outcome = h.run(config, "bugs");
  CHECK_FALSE(outcome.succeeded);
  CHECK_THAT(outcome.error, Catch::Contains("fields changed"));
  CHECK(h.count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'bugs'") == 0);
}
