// Start-up configuration: fault files, reset back to flag faults, bad fixtures, synthetic fixtures.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim_test_util.h"

using namespace ccetl::test;

TEST_CASE("--faults FILE sets startup rules that reset restores", "[sim][faults]") {
  auto file = std::filesystem::temp_directory_path() / ("sim-faults-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"seed": 3, "rules": [{"kind": "error", "status": 502, "path": "NegativeScore"}]})";
  SimProcess sim(sim_args({"--faults", file.string()}));
  HttpTestClient http(sim.host(), sim.port());
  std::string target = with_key("/api/v1/userDataPackages/NegativeScore?page=1");
  CHECK(http.get(target).status == 502);
  CHECK(http.get(with_key("/api/v1/projectDataPackages/UserTotals?page=1")).status == 200);
  REQUIRE(http.put_json("/_sim/faults", R"({"rules": []})").status == 200);
  CHECK(http.get(target).status == 200);
  REQUIRE(http.request("POST", "/_sim/reset").status == 200);
  CHECK(http.get(target).status == 502);
  CHECK(http.put_json("/_sim/faults", R"({"rules": [{"kind": "nonsense"}]})").status == 400);
  std::filesystem::remove(file);
}

TEST_CASE("an invalid fixture stops the simulator at start", "[sim][datasets]") {
  auto dir = std::filesystem::temp_directory_path() / ("sim-badfix-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.json") << R"({"path": "/userDataPackages/X", "format": "xml"})";
  CHECK_THROWS(SimProcess(sim_args({"--fixtures", dir.string()})));
  std::filesystem::remove_all(dir);
}

TEST_CASE("synthetic fixture files serve paged rows with unique IDs", "[sim][synthetic]") {
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/synthetic", "--no-examples"}));
  HttpTestClient http(sim.host(), sim.port());
  CHECK(http.get(with_key("/api/v1/userDataPackages/NegativeScore?page=1")).status == 404);
  auto last = http.get(with_key("/api/v1/projects/Synth/feedbackDataPackages/Feedback?page=100"));
  REQUIRE(last.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(last.body);
  CHECK(int64_t(doc["paging"]["totalPages"]) == 100);
  CHECK(int64_t(doc["paging"]["totalResults"]) == 100000);
  simdjson::dom::array data = doc["data"];
  CHECK(data.size() == 1000);
  CHECK(std::string_view(data.at(999).at(0)["computedValue"]) == "ROW-0100000");
  CHECK(simdjson::dom::array(doc["fields"]).size() == 7);
}
