// `history: true` end to end: the real simulator over loopback HTTP, a real PostgreSQL.
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

const char* kFields = R"("fields": [
  {"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
  {"name": "Score", "dataType": "integer"}])";

std::string dataset(const std::string& rows, const std::string& project = "WidgetPro",
                    const std::string& fields = kFields) {
  return R"({"path": "/projects/)" + project + R"(/feedbackDataPackages/Bugs", "resultsPerPage": 3, )" +
         fields + R"(, "rows": [)" + rows + "]}";
}

std::string row(int i, const std::string& summary = "crash", int score = 1) {
  char id[32];
  std::snprintf(id, sizeof id, "BUG-%04d", i);
  return std::string("[\"") + id + "\", \"" + summary + "\", " + std::to_string(score) + "]";
}

std::string rows(int from, int to, const std::string& summary = "crash") {
  std::string out;
  for (int i = from; i <= to; ++i) out += (out.empty() ? "" : ",") + row(i, summary);
  return out;
}

// `expr` of every row of `from` (a table and its WHERE clause), joined in `order`.
std::string agg(SyncHarness& h, const std::string& expr, const std::string& from, const std::string& order) {
  auto r = h.query("SELECT coalesce(string_agg(" + expr + ", ' ' ORDER BY " + order + "), '') FROM " + from);
  return r[0][0].c_str();
}

// A moment between two runs: the database's clock after one run committed, before the next began.
std::string now(SyncHarness& h) {
  return "'" + std::string(h.query("SELECT clock_timestamp()::text")[0][0].c_str()) + "'::timestamptz";
}

std::string as_of(const std::string& table, const std::string& at) {
  return "centercode." + table + " WHERE _valid_from <= " + at + " AND " + at + " < _valid_to";
}

const char* kJob = R"(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: hard
    history: true
)";

}  // namespace

TEST_CASE("history over three runs: initial, changed+deleted+added, unchanged") {
  SyncHarness h;
  Config config = h.config(kJob);
  h.put_dataset(dataset(rows(1, 10)));
  JobOutcome first = h.run(config, "bugs");
  INFO(first.error);
  REQUIRE(first.succeeded);
  const std::string snapshot1 =
      agg(h, "id || ':' || summary || ':' || score", "centercode.bugs", "id");
  const std::string between = now(h);

  // BUG-0003 changes, 9 and 10 vanish, 11 and 12 appear.
  h.put_dataset(dataset(row(1) + "," + row(2) + "," + row(3, "fixed", 5) + "," + rows(4, 8) + "," + rows(11, 12)));
  JobOutcome second = h.run(config, "bugs");
  INFO(second.error);
  REQUIRE(second.succeeded);
  CHECK(second.counts.updated == 1);
  CHECK(second.counts.inserted == 2);
  CHECK(second.counts.deleted == 2);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs_history") == 13);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs_history WHERE _valid_to = 'infinity'") == 10);
  CHECK(agg(h, "id", "centercode.bugs_history WHERE _valid_to < 'infinity'", "id") ==
        "BUG-0003 BUG-0009 BUG-0010");
  // As of the moment between the runs: exactly what the first run loaded.
  CHECK(agg(h, "id || ':' || summary || ':' || score", as_of("bugs_history", between), "id") == snapshot1);
  // Through the view, with the field names.
  CHECK(agg(h, "\"Summary\"", "centercode.bugs_history_v WHERE \"ID\" = 'BUG-0003'", "_valid_from") ==
        "crash fixed");

  // Unchanged resync: no history row written.
  const std::string tuples = agg(h, "xmin::text || ctid::text", "centercode.bugs_history", "id, _valid_from");
  JobOutcome third = h.run(config, "bugs");
  REQUIRE(third.succeeded);
  CHECK(third.counts.unchanged == 10);
  CHECK(h.count("SELECT count(*) FROM centercode.bugs_history") == 13);
  CHECK(agg(h, "xmin::text || ctid::text", "centercode.bugs_history", "id, _valid_from") == tuples);
}

TEST_CASE("history of a fan-out job versions each project's rows") {
  SyncHarness h;
  h.put_dataset(dataset(rows(1, 2), "Alpha"));
  h.put_dataset(dataset(rows(1, 2), "Beta"));
  Config config = h.config(R"(  - name: all_bugs
    source: {scope: project_feedback, report: Bugs}
    projects: [Alpha, Beta]
    key: [ID]
    history: true
)");
  REQUIRE(h.run(config, "all_bugs").succeeded);
  const std::string between = now(h);
  h.put_dataset(dataset(row(1) + "," + row(2, "fixed"), "Beta"));
  JobOutcome outcome = h.run(config, "all_bugs");
  INFO(outcome.error);
  REQUIRE(outcome.succeeded);
  CHECK(outcome.counts.updated == 1);
  CHECK(agg(h, "project_key || '/' || id", "centercode.all_bugs_history WHERE _valid_to < 'infinity'", "1") ==
        "Beta/BUG-0002");
  CHECK(agg(h, "project_key || '/' || summary", as_of("all_bugs_history", between), "project_key, id") ==
        "Alpha/crash Alpha/crash Beta/crash Beta/crash");
}

TEST_CASE("history follows a new field; turned on later it starts from the table's rows") {
  SyncHarness h;
  h.put_dataset(dataset(rows(1, 3)));
  Config plain = h.config(R"(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
)");
  REQUIRE(h.run(plain, "bugs").succeeded);
  CHECK(h.count("SELECT count(*) FROM pg_class WHERE relname = 'bugs_history'") == 0);

  // History turned on: seeded with the three rows, then BUG-0002 changes in the same run.
  Config config = h.config(kJob);
  h.put_dataset(dataset(row(1) + "," + row(2, "fixed") + "," + row(3)));
  JobOutcome on = h.run(config, "bugs");
  INFO(on.error);
  REQUIRE(on.succeeded);
  CHECK(agg(h, "id || ':' || summary", "centercode.bugs_history", "id, _valid_from") ==
        "BUG-0001:crash BUG-0002:crash BUG-0002:fixed BUG-0003:crash");
  const std::string between = now(h);

  // A new field: a new column in the table, the history table and its view.
  h.put_dataset(dataset(R"(["BUG-0001", "crash", 1, []], ["BUG-0002", "fixed", 1, []], ["BUG-0003", "crash", 1, "High"])",
                        "WidgetPro",
                        R"("fields": [{"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
                           {"name": "Score", "dataType": "integer"}, {"name": "Severity", "dataType": "string"}])"));
  JobOutcome evolved = h.run(config, "bugs");
  INFO(evolved.error);
  REQUIRE(evolved.succeeded);
  CHECK(evolved.counts.updated == 1);
  CHECK(agg(h, "\"ID\" || ':' || coalesce(\"Severity\", '-')", "centercode.bugs_history_v WHERE _valid_to = 'infinity'",
            "\"ID\"") == "BUG-0001:- BUG-0002:- BUG-0003:High");
  CHECK(agg(h, "id || ':' || coalesce(severity, '-')", as_of("bugs_history", between), "id") ==
        "BUG-0001:- BUG-0002:- BUG-0003:-");
}

TEST_CASE("history removed from the config for a run and put back catches up with the table") {
  SyncHarness h;
  Config with = h.config(kJob);
  Config without = h.config(R"(  - name: bugs
    source: {scope: project_feedback, project: WidgetPro, report: Bugs}
    key: [ID]
    deletes: hard
)");
  h.put_dataset(dataset(rows(1, 4)));
  REQUIRE(h.run(with, "bugs").succeeded);
  const std::string snapshot1 = agg(h, "id || ':' || summary", "centercode.bugs", "id");
  const std::string between = now(h);

  // Without history: BUG-0002 changes, BUG-0003 vanishes, BUG-0005 appears.
  h.put_dataset(dataset(row(1) + "," + row(2, "fixed", 5) + "," + row(4) + "," + row(5)));
  JobOutcome off = h.run(without, "bugs");
  INFO(off.error);
  REQUIRE(off.succeeded);
  REQUIRE(off.counts.deleted == 1);

  // With history again, the package unchanged since: only the catch-up can version those.
  JobOutcome on = h.run(with, "bugs");
  INFO(on.error);
  REQUIRE(on.succeeded);
  CHECK(on.counts.unchanged == 4);
  std::string messages;
  for (const auto& m : on.messages) messages += m + "\n";
  CHECK_THAT(messages, Catch::Contains("caught up with the table") && Catch::Contains("2 versions closed, 2 opened"));
  CHECK(agg(h, "id || ':' || summary || ':' || score", as_of("bugs_history", "now()"), "id") ==
        agg(h, "id || ':' || summary || ':' || score", "centercode.bugs", "id"));
  CHECK(agg(h, "id || ':' || summary", "centercode.bugs_history WHERE _valid_to < 'infinity'", "id") ==
        "BUG-0002:crash BUG-0003:crash");
  CHECK(agg(h, "id || ':' || summary", as_of("bugs_history", between), "id") == snapshot1);

  // The next run with history runs no catch-up.
  JobOutcome again = h.run(with, "bugs");
  REQUIRE(again.succeeded);
  for (const auto& m : again.messages) CHECK_THAT(m, !Catch::Contains("caught up"));
}
