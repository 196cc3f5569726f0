// Fixtures, paging, CSV, the admin dataset API and the synthetic generator.
#include <catch2/catch.hpp>

#include <set>

#include "sim_test_util.h"

using namespace ccetl::test;
namespace dom = simdjson::dom;

namespace {
const std::string kBugs = "/api/v1/projects/Acme/feedbackDataPackages/Bugs";
}

TEST_CASE("paging over a multi-page fixture dataset", "[sim][datasets]") {
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/basic"}));
  HttpTestClient http(sim.host(), sim.port());
  dom::parser parser;
  std::vector<std::string> ids;
  for (int page = 1; page <= 3; ++page) {
    auto r = http.get(with_key(kBugs + "?page=" + std::to_string(page)));
    REQUIRE(r.status == 200);
    dom::element doc = parser.parse(r.body);
    CHECK(int64_t(doc["paging"]["currentPage"]) == page);
    CHECK(int64_t(doc["paging"]["totalPages"]) == 3);
    CHECK(int64_t(doc["paging"]["resultsPerPage"]) == 2);
    CHECK(int64_t(doc["paging"]["totalResults"]) == 5);
    CHECK(dom::array(doc["fields"]).size() == 7);
    for (dom::element row : dom::array(doc["data"])) ids.emplace_back(std::string_view(row.at(0)["computedValue"]));
  }
  CHECK(ids == std::vector<std::string>{"BUG-1", "BUG-2", "BUG-3", "BUG-4", "BUG-5"});

  // The page after the last is empty, with correct paging.
  auto end = http.get(with_key(kBugs + "?page=4"));
  REQUIRE(end.status == 200);
  CHECK(minify(end.body).find(R"("paging":{"currentPage":4,"totalPages":3,"resultsPerPage":2,"totalResults":5})") !=
        std::string::npos);
  CHECK(minify(end.body).find(R"("data":[])") != std::string::npos);
  // No page parameter means page 1.
  CHECK(http.get(with_key(kBugs)).body.find("\"currentPage\":1") != std::string::npos);

  // Shorthand cells expand to full cells; a full cell object passes verbatim.
  auto p1 = minify(http.get(with_key(kBugs + "?page=1")).body);
  CHECK(p1.find(R"({"name":"Title","dataType":"string","formId":"f1","questionId":"q1"})") != std::string::npos);
  CHECK(p1.find(R"({"fieldOrdinal":6,"dataType":"string","computedValue":"iOS, Android","values":["iOS","Android"]})") !=
        std::string::npos);
  CHECK(p1.find(R"({"fieldOrdinal":2,"dataType":"integer","computedValue":"3","values":[3]})") != std::string::npos);
  CHECK(p1.find(R"({"fieldOrdinal":4,"dataType":"boolean","computedValue":"true","values":[true]})") != std::string::npos);
  CHECK(p1.find(R"({"fieldOrdinal":2,"dataType":"integer","computedValue":"","values":[]})") != std::string::npos);
  auto p2 = minify(http.get(with_key(kBugs + "?page=2")).body);
  CHECK(p2.find(R"({"fieldOrdinal":1,"dataType":"string","computedValue":"Full cell","values":["Full cell"],"responseId":"r9"})") !=
        std::string::npos);
}

TEST_CASE("CSV data packages and lookups", "[sim][datasets][csv]") {
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/basic"}));
  HttpTestClient http(sim.host(), sim.port());
  std::string target = "/api/v1/projects/Acme/feedbackDataPackages/BugsCsv";
  auto p1 = http.get(with_key(target + "?page=1"));
  REQUIRE(p1.status == 200);
  CHECK(p1.header("content-type").rfind("text/csv", 0) == 0);
  CHECK(p1.body == "ID,\"Title, long\",Tags\r\nC-1,plain,\"a, b\"\r\nC-2,\"with \"\"quotes\"\", comma\",\r\n");
  auto p2 = http.get(with_key(target + "?page=2"));
  CHECK(p2.body == "ID,\"Title, long\",Tags\r\nC-3,\"multi\nline\",x\r\n");
  // The end: a page with the header line only.
  auto p3 = http.get(with_key(target + "?page=3"));
  CHECK(p3.status == 200);
  CHECK(p3.body == "ID,\"Title, long\",Tags\r\n");

  // A cell whose value is the empty string is a quoted "", a cell without values is nothing.
  REQUIRE(http.put_json("/_sim/datasets", R"({"path": "/projects/Acme/feedbackDataPackages/Blank", "format": "csv",
      "fields": [{"name": "ID", "dataType": "string"}, {"name": "N", "dataType": "integer"}],
      "rows": [["", 1], [null, 2], [{"fieldOrdinal": 0, "dataType": "string", "computedValue": "", "values": [""]}, []]]})")
              .status == 200);
  CHECK(http.get(with_key("/api/v1/projects/Acme/feedbackDataPackages/Blank?page=1")).body ==
        "ID,N\r\n\"\",1\r\n,2\r\n\"\",\r\n");

  // Lookups with shorthand records.
  auto l = http.get(with_key("/api/v1/projects/Acme/userRecordLookups/People?find=ann%40example.com"));
  REQUIRE(l.status == 200);
  CHECK(minify(l.body) ==
        R"({"data":[{"field":"Name","dataType":"string","computedValue":"Ann B.","values":["Ann B."]},{"field":"Score","dataType":"integer","computedValue":"42","values":[42]}]})");
}

TEST_CASE("admin API installs, replaces and removes datasets; reset restores startup", "[sim][datasets][admin]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  std::string fixture = R"({"path": "/api/v1/projects/X/userDataPackages/Runtime", "apiKey": "RK",
    "fields": [{"name": "ID", "dataType": "string"}], "rows": [["a"], ["b"]]})";
  auto put = http.put_json("/_sim/datasets", fixture);
  REQUIRE(put.status == 200);
  CHECK(minify(put.body) == R"({"installed":["/projects/X/userDataPackages/Runtime"]})");
  auto r = http.get("/api/v1/projects/X/userDataPackages/Runtime?page=1&apiKey=RK");
  CHECK(r.status == 200);
  CHECK(r.body.find("\"totalResults\":2") != std::string::npos);
  // Replace.
  http.put_json("/_sim/datasets", R"({"path": "/projects/X/userDataPackages/Runtime", "apiKey": "RK",
    "fields": [{"name": "ID", "dataType": "string"}], "rows": [["c"]]})");
  CHECK(http.get("/api/v1/projects/X/userDataPackages/Runtime?page=1&apiKey=RK").body.find("\"totalResults\":1") !=
        std::string::npos);
  // Bad fixtures are refused with a reason.
  auto bad = http.put_json("/_sim/datasets", R"({"path": "/projects/X/userDataPackages/Bad", "kind": "release"})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("not a release path") != std::string::npos);
  bad = http.put_json("/_sim/datasets", R"({"path": "/projects/X/userDataPackages/Bad", "fields": [{"name":"a"}], "rows": [[1, 2]]})");
  CHECK(bad.status == 400);
  // Delete.
  CHECK(http.request("DELETE", "/_sim/datasets?path=/projects/X/userDataPackages/Runtime").status == 200);
  CHECK(http.get("/api/v1/projects/X/userDataPackages/Runtime?page=1&apiKey=RK").status == 404);
  CHECK(http.request("DELETE", "/_sim/datasets?path=/projects/X/userDataPackages/Runtime").status == 404);
  // Reset drops runtime datasets but keeps the examples.
  http.put_json("/_sim/datasets", fixture);
  CHECK(http.request("POST", "/_sim/reset").status == 200);
  CHECK(http.get("/api/v1/projects/X/userDataPackages/Runtime?page=1&apiKey=RK").status == 404);
  CHECK(http.get(with_key("/api/v1/userDataPackages/NegativeScore?page=1")).status == 200);
  auto health = http.get("/_sim/health");
  CHECK(health.status == 200);
  CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
}

TEST_CASE("request log keeps bodies and hides the key", "[sim][admin]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  http.post_json(with_key("/api/v1/userImports/Mobile"), R"({"email": "person@gmail.com"})");
  http.get("/api/v1/userImports/Mobile/status/x?apiKey=WRONG");
  auto log = http.get("/_sim/requests");
  REQUIRE(log.status == 200);
  CHECK(log.body.find(kKey) == std::string::npos);
  CHECK(log.body.find("WRONG") == std::string::npos);
  dom::parser parser;
  dom::array entries = parser.parse(log.body);
  REQUIRE(entries.size() == 2);
  dom::element first = entries.at(0);
  CHECK(std::string_view(first["method"]) == "POST");
  CHECK(std::string_view(first["path"]) == "/api/v1/userImports/Mobile");
  CHECK(std::string_view(first["query"]) == "apiKey=***");
  CHECK(first["apiKeyMatched"].get_bool().value());
  CHECK(simdjson::minify(first["body"]) == R"({"email":"person@gmail.com"})");
  CHECK(std::string_view(first["contentType"]) == "application/json");
  CHECK(int64_t(first["status"]) == 202);
  CHECK(!entries.at(1)["apiKeyMatched"].get_bool().value());
  CHECK(http.request("POST", "/_sim/reset").status == 200);
  CHECK(minify(http.get("/_sim/requests").body) == "[]");
}

TEST_CASE("synthetic datasets are deterministic and versioned", "[sim][synthetic]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  auto install = [&](const std::string& name, int version, int seed) {
    std::string body = R"({"path": "/projects/S/feedbackDataPackages/)" + name +
                       R"(", "resultsPerPage": 500, "synthetic": {"rows": 2000, "seed": )" + std::to_string(seed) +
                       R"(, "version": )" + std::to_string(version) +
                       R"(, "changeRatio": 0.1, "deleteRatio": 0.02, "emptyRatio": 0.1, "multiRatio": 0.05}})";
    REQUIRE(http.put_json("/_sim/datasets", body).status == 200);
  };
  install("A", 0, 7);
  install("B", 0, 7);
  install("C", 1, 7);
  install("D", 0, 8);
  auto page = [&](const std::string& name, int p) {
    return http.get(with_key("/api/v1/projects/S/feedbackDataPackages/" + name + "?page=" + std::to_string(p))).body;
  };
  // Same seed, same bytes; another seed, other bytes.
  CHECK(page("A", 2) == page("B", 2));
  CHECK(page("A", 2) != page("D", 2));

  dom::parser parser;
  auto rows_of = [&](const std::string& name) {
    std::map<std::string, std::string> rows;
    for (int p = 1;; ++p) {
      std::string body = page(name, p);
      dom::element doc = parser.parse(body);
      dom::array data = doc["data"];
      if (data.size() == 0) break;
      for (dom::element row : data) rows[std::string(std::string_view(row.at(0)["computedValue"]))] = simdjson::minify(row);
    }
    return rows;
  };
  auto v0 = rows_of("A");
  auto v1 = rows_of("C");
  REQUIRE(v0.size() == 2000);
  CHECK(v0.begin()->first == "ROW-0000001");
  size_t deleted = 0, changed = 0;
  for (const auto& [id, row] : v0) {
    auto it = v1.find(id);
    if (it == v1.end()) ++deleted;
    else if (it->second != row) ++changed;
  }
  CHECK(v1.size() == 2000 - deleted);
  CHECK(deleted >= 20);  // ~2% of 2000 = 40
  CHECK(deleted <= 65);
  CHECK(changed >= 150);  // ~10% of 2000 = 200
  CHECK(changed <= 260);

  // Shape: all five types, empty and multi-valued cells, ~200-char strings, unicode.
  std::string all;
  for (const auto& [id, row] : v0) all += row;
  for (const char* type : {"\"string\"", "\"integer\"", "\"double\"", "\"date\"", "\"boolean\""})
    CHECK(all.find(std::string("\"dataType\":") + type) != std::string::npos);
  CHECK(all.find("\"values\":[]") != std::string::npos);
  CHECK(all.find("\"computedValue\":\"\"") != std::string::npos);
  CHECK((all.find("日本語") != std::string::npos || all.find("Müller") != std::string::npos));
  bool long_string = false, multi = false;
  for (const auto& [id, row] : v0) {
    dom::element r = parser.parse(row);
    for (dom::element cell : dom::array(r)) {
      if (dom::array(cell["values"]).size() > 1) multi = true;
      if (std::string_view(cell["dataType"]) == "string" && std::string_view(cell["computedValue"]).size() >= 190)
        long_string = true;
    }
    if (multi && long_string) break;
  }
  CHECK(multi);
  CHECK(long_string);
}
