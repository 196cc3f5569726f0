// Date values with offsets are stored as the instants they name (docs/warehouse.md, "Dates").
#include <catch2/catch.hpp>

#include "support/sync_harness.h"

using namespace ccetl;
using namespace ccetl::test;

TEST_CASE("offsets are instants: stored in UTC in timestamp columns, exact in timestamptz ones", "[dates]") {
  SyncHarness h;
  // The same instant (10:00 UTC) three ways, a local time without offset, and a date only.
  h.put_dataset(R"({"path": "/projects/WidgetPro/feedbackDataPackages/Dates",
    "fields": [{"name": "ID", "dataType": "string"}, {"name": "At", "dataType": "date"}],
    "rows": [["z", "2024-05-01T10:00:00Z"], ["minus7", "2024-05-01T03:00:00-07:00"],
             ["plus0530", "2024-05-01T15:30:00.5+05:30"], ["local", "2024-05-01T10:00:00"],
             ["day", "2024-05-01"], ["rollover", "2024-04-30T22:00:00-12:00"]]})");
  Config config = h.config(R"(  - name: plain
    source: {scope: project_feedback, project: WidgetPro, report: Dates}
    key: [ID]
  - name: zoned
    source: {scope: project_feedback, project: WidgetPro, report: Dates}
    key: [ID]
    time_zone: America/New_York
)");
  REQUIRE(h.run(config, "plain").succeeded);
  REQUIRE(h.run(config, "zoned").succeeded);
  auto at = [&](const std::string& table, const std::string& id, const std::string& expr) {
    return std::string(h.query("SELECT " + expr + " FROM centercode." + table + " WHERE id = '" + id + "'")[0][0].c_str());
  };
  // timestamp (no time_zone): values with an offset hold their UTC time; others as written.
  CHECK(at("plain", "z", "at::text") == "2024-05-01 10:00:00");
  CHECK(at("plain", "minus7", "at::text") == "2024-05-01 10:00:00");
  CHECK(at("plain", "plus0530", "at::text") == "2024-05-01 10:00:00.5");
  CHECK(at("plain", "rollover", "at::text") == "2024-05-01 10:00:00");
  CHECK(at("plain", "local", "at::text") == "2024-05-01 10:00:00");
  CHECK(at("plain", "day", "at::text") == "2024-05-01 00:00:00");
  // timestamptz (time_zone set): offsets give the instant, local times are read in the zone.
  const std::string utc = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')";
  CHECK(at("zoned", "z", utc) == "2024-05-01 10:00:00.000");
  CHECK(at("zoned", "minus7", utc) == "2024-05-01 10:00:00.000");
  CHECK(at("zoned", "plus0530", utc) == "2024-05-01 10:00:00.500");
  CHECK(at("zoned", "local", utc) == "2024-05-01 14:00:00.000");  // 10:00 EDT
}
