// The reference's own examples, answered by a simulator started with no fixtures.
#include <catch2/catch.hpp>

#include "sim_test_util.h"

using namespace ccetl::test;

TEST_CASE("data package and lookup examples are answered as documented", "[sim][examples]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  std::string dir = source_dir() + "/tests/fixtures/sim/examples/";

  struct Package {
    const char* file;
    const char* target;
  };
  const Package packages[] = {
      {"userDataPackages_NegativeScore", "/api/v1/userDataPackages/NegativeScore?page=1"},
      {"projectDataPackages_UserTotals", "/api/v1/projectDataPackages/UserTotals?page=1"},
      {"projects_WidgetPro_userDataPackages_UserFeedbackTotals",
       "/api/v1/projects/WidgetPro/userDataPackages/UserFeedbackTotals?page=1"},
      {"projects_WidgetPro_feedbackDataPackages_FeedbackScores",
       "/api/v1/projects/WidgetPro/feedbackDataPackages/FeedbackScores?page=1"},
  };
  for (const auto& p : packages) {
    INFO(p.target);
    auto r = http.get(with_key(p.target));
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    CHECK(minify(r.body) == minify(read_text(dir + p.file + ".json")));
  }

  // Lookups, written the way the reference's CURL examples write them (find=X?page=1).
  const Package lookups[] = {
      {"userRecordLookups_UserScore", "/api/v1/userRecordLookups/UserScore?find=jim%40centercode.com?page=1"},
      {"projectRecordLookups_ProjectStats", "/api/v1/projectRecordLookups/ProjectStats?find=WidgetPro?page=1"},
      {"projects_WidgetPro_userRecordLookups_UserStats",
       "/api/v1/projects/WidgetPro/userRecordLookups/UserStats?find=jim%40centercode.com?page=1"},
      {"projects_WidgetPro_feedbackRecordLookups_BugReports",
       "/api/v1/projects/WidgetPro/feedbackRecordLookups/BugReports?find=BUG-0001?page=1"},
  };
  simdjson::dom::parser parser;
  for (const auto& l : lookups) {
    INFO(l.target);
    auto r = http.get(with_key(l.target));
    REQUIRE(r.status == 200);
    simdjson::dom::element expected = parser.parse(read_text(dir + l.file + ".json"));
    CHECK(minify(r.body) == simdjson::minify(expected["response"]));
  }
}

TEST_CASE("the FeedbackScores example has its five BUG rows", "[sim][examples]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  auto r = http.get(with_key("/api/v1/projects/WidgetPro/feedbackDataPackages/FeedbackScores?page=1"));
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.body);
  simdjson::dom::array data = doc["data"];
  REQUIRE(data.size() == 5);
  int i = 1;
  for (simdjson::dom::element row : data) {
    std::string_view id = row.at(0)["computedValue"];
    CHECK(id.substr(0, 4) == "BUG-");
    ++i;
  }
}

TEST_CASE("listener, import, feedback and release examples", "[sim][examples]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  std::string base = "http://127.0.0.1:" + std::to_string(sim.port());

  for (const char* path : {"/userMacroListeners/Enrich?find=jim", "/projects/WidgetPro/userMacroListeners/Promotion?find=jim",
                           "/projects/WidgetPro/feedbackMacroListeners/ClosedInJIRA?find=BUG-0001"}) {
    INFO(path);
    auto r = http.request("POST", with_key(std::string("/api/v1") + path));
    REQUIRE(r.status == 202);
    std::string prefix = base + "/api/v1" + std::string(path).substr(0, std::string(path).find('?')) + "/status/";
    std::string expected_start = "{\"statusEndpoint\":\"" + prefix;
    CHECK(r.body.rfind(expected_start, 0) == 0);
  }

  auto c = http.post_json(with_key("/api/v1/userCommentListeners/UserComment?find=nathan"),
                          R"({"author": "admin@centercode.com", "message": "Please consider this user in subscription tests."})");
  CHECK(c.status == 201);
  CHECK(minify(c.body) ==
        R"({"author":"admin@centercode.com","message":"Please consider this user in subscription tests."})");
  c = http.post_json(with_key("/api/v1/projects/WidgetPro/feedbackCommentListeners/BugComment?find=BUG-0001"),
                     R"({"author": "a", "message": "m"})");
  CHECK(c.status == 201);
  c = http.post_json(with_key("/api/v1/projects/WidgetPro/userCommentListeners/UserComment?find=nathan"), R"({"x":1})");
  CHECK(c.status == 201);

  auto d = http.post_json(with_key("/api/v1/userDataListeners/Performance?find=sam%40gmail.com"),
                          R"({"performance": "Excellent"})");
  CHECK(d.status == 201);
  CHECK(minify(d.body) ==
        R"({"fields":[{"dataType":"string","label":"Tester Tier","parameter":"performance","value":"Excellent","matched":true}]})");
  d = http.post_json(with_key("/api/v1/projects/WidgetPro/userDataListeners/Subscription?find=jim"),
                     R"({"subscription": "Enterprise"})");
  CHECK(minify(d.body) ==
        R"({"fields":[{"dataType":"string","label":"Subscription Level","parameter":"subscription","value":"Enterprise","matched":true}]})");
  d = http.post_json(with_key("/api/v1/projects/WidgetPro/feedbackDataListeners/CrashLog?find=BUG-0001"),
                     R"({"crashlog": "~/Library/Logs/CrashReporter/MobileDevice/iPhone8s", "extra": 5})");
  CHECK(minify(d.body) ==
        R"({"fields":[{"dataType":"string","label":"Crash Log","parameter":"crashlog","value":"~/Library/Logs/CrashReporter/MobileDevice/iPhone8s","matched":true},{"dataType":"string","label":"","parameter":"extra","value":"5","matched":false}]})");

  for (const char* path : {"/userImports/Mobile", "/projects/WidgetPro/userImports/Mobile"}) {
    auto r = http.post_json(with_key(std::string("/api/v1") + path), R"({"email": "person@gmail.com"})");
    CHECK(r.status == 202);
    CHECK(r.body.find(base + "/api/v1" + path + "/status/") != std::string::npos);
  }

  auto f = http.post_json(with_key("/api/v1/projects/WidgetPro/feedback/Mobile"),
                          R"({"submitter": "jim@centercode.com", "summary": "s", "description": "d", "topic": 23795})");
  REQUIRE(f.status == 201);
  simdjson::dom::parser parser;
  simdjson::dom::element fb = parser.parse(f.body);
  CHECK(std::string_view(fb["key"]) == "SUG-0023");
  CHECK(std::string_view(fb["id"]).size() == 36);
  simdjson::dom::array fes = fb["fileElements"];
  REQUIRE(fes.size() == 2);
  CHECK(std::string_view(fes.at(0)["key"]) == "Screenshot");
  CHECK(fes.at(0)["acceptsMultipleAttachments"].get_bool().value() == true);
  CHECK(std::string_view(fes.at(0)["url"]) ==
        base + "/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/Screenshot");
  CHECK(std::string_view(fes.at(1)["key"]) == "CrashLog");
  CHECK(fes.at(1)["acceptsMultipleAttachments"].get_bool().value() == false);
  // Numbered per project: the next one is SUG-0024.
  auto f2 = http.post_json(with_key("/api/v1/projects/WidgetPro/feedback/Mobile"), R"({"summary": "t"})");
  CHECK(f2.body.find("\"key\":\"SUG-0024\"") != std::string::npos);

  std::string release = R"({"title":"Software v0.1.1","releaseValue":"0.1.1","isClickThroughNotice":false,"ftpBucketFiles":[{"fileName":"Firmware_0.1.1.exe"}]})";
  auto rel = http.post_json(with_key("/api/v1/projects/WidgetPro/releaseTypes/Firmware"), release);
  REQUIRE(rel.status == 201);
  simdjson::dom::element re = parser.parse(rel.body);
  CHECK(std::string_view(re["status"]) == "Processing");
  CHECK(std::string_view(re["title"]) == "Software v0.1.1");
  CHECK(std::string_view(re["id"]).size() == 36);
  CHECK(std::string_view(re["url"]).find(base) == 0);
  CHECK(rel.body.find(R"("ftpBucketFiles":[{"fileName":"Firmware_0.1.1.exe"}])") != std::string::npos);
}
