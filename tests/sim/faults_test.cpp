// Each fault kind, set at run time through PUT /_sim/faults or from flags.
#include <catch2/catch.hpp>

#include <chrono>

#include "sim_test_util.h"

using namespace ccetl::test;
namespace dom = simdjson::dom;

namespace {

const std::string kBugs = "/api/v1/projects/Acme/feedbackDataPackages/Bugs";

SimProcess basic_sim(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--fixtures", source_dir() + "/tests/fixtures/sim/basic"};
  args.insert(args.end(), extra.begin(), extra.end());
  return SimProcess(sim_args(args));
}

void set_faults(const HttpTestClient& http, const std::string& json) {
  auto r = http.put_json("/_sim/faults", json);
  REQUIRE(r.status == 200);
}

std::string page(const HttpTestClient& http, int p) {
  auto r = http.get(with_key(kBugs + "?page=" + std::to_string(p)));
  REQUIRE(r.status == 200);
  return r.body;
}

}  // namespace

TEST_CASE("fault: latency, scoped by path and page", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"latency","latencyMs":300,"path":"Bugs","page":2}]})");
  auto t0 = std::chrono::steady_clock::now();
  page(http, 1);
  auto t1 = std::chrono::steady_clock::now();
  page(http, 2);
  auto t2 = std::chrono::steady_clock::now();
  CHECK(t1 - t0 < std::chrono::milliseconds(250));
  CHECK(t2 - t1 >= std::chrono::milliseconds(300));
}

TEST_CASE("fault: 5xx answers, counted with times", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"error","status":503,"times":2,"path":"Bugs"}]})");
  auto r = http.get(with_key(kBugs + "?page=1"));
  CHECK(r.status == 503);
  CHECK(minify(r.body) == R"({"status":503,"description":"Injected failure."})");
  CHECK(r.header("x-rate-limit-limit") == "1s");
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 503);
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 200);
  // Other paths were never affected.
  CHECK(http.get(with_key("/api/v1/userDataPackages/NegativeScore")).status == 200);
}

TEST_CASE("fault: a share of 5xx is deterministic for a seed", "[sim][faults]") {
  auto run = [](const std::string& seed) {
    auto sim = basic_sim({"--fault-5xx-ratio", "0.3", "--fault-seed", seed});
    HttpTestClient http(sim.host(), sim.port());
    std::string pattern;
    for (int i = 0; i < 40; ++i) pattern += http.get(with_key(kBugs + "?page=1")).status == 500 ? 'x' : '.';
    return pattern;
  };
  std::string a = run("11"), b = run("11"), c = run("12");
  CHECK(a == b);
  CHECK(a != c);
  auto errors = std::count(a.begin(), a.end(), 'x');
  CHECK(errors >= 4);
  CHECK(errors <= 22);
}

TEST_CASE("fault: burst of 429", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"rate_limit","times":3}]})");
  for (int i = 0; i < 3; ++i) {
    auto r = http.get(with_key(kBugs + "?page=1"));
    CHECK(r.status == 429);
    CHECK(r.header("x-rate-limit-remaining") == "0");
  }
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 200);
}

TEST_CASE("fault: connection reset and truncated body", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"reset","times":1,"page":1},{"kind":"truncate","times":1,"page":2}]})");
  auto reset = http.get(with_key(kBugs + "?page=1"));
  CHECK(reset.status == 0);
  CHECK(!reset.error.empty());
  auto truncated = http.get(with_key(kBugs + "?page=2"));
  CHECK(truncated.status == 0);
  CHECK(!truncated.error.empty());
  // Both were one-shot.
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 200);
  CHECK(http.get(with_key(kBugs + "?page=2")).status == 200);
}

TEST_CASE("fault: malformed JSON", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"malformed","times":1}]})");
  auto r = http.get(with_key(kBugs + "?page=1"));
  CHECK(r.status == 200);
  CHECK(r.error.empty());
  CHECK(minify(r.body).rfind("<invalid", 0) == 0);
  CHECK(minify(http.get(with_key(kBugs + "?page=1")).body).rfind("<invalid", 0) != 0);
}

TEST_CASE("fault: hang until the client gives up", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"hang","times":1}]})");
  HttpTestClient impatient(sim.host(), sim.port());
  impatient.set_timeout_ms(300);
  auto t0 = std::chrono::steady_clock::now();
  auto r = impatient.get(with_key(kBugs + "?page=1"));
  CHECK(r.status == 0);
  CHECK(!r.error.empty());
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 200);
}

TEST_CASE("fault: fields change from a page on", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[
      {"kind":"field_add","page":2,"name":"Severity","type":"integer"},
      {"kind":"field_rename","page":3,"field":1,"name":"Headline"},
      {"kind":"field_retype","page":3,"field":2,"type":"string"}]})");
  dom::parser parser;
  auto fields = [&](int p) {
    std::string body = page(http, p);
    dom::element doc = parser.parse(body);
    std::string names;
    for (dom::element f : dom::array(doc["fields"]))
      names += std::string(std::string_view(f["name"])) + ":" + std::string(std::string_view(f["dataType"])) + ",";
    return std::make_pair(names, body);
  };
  auto [f1, b1] = fields(1);
  auto [f2, b2] = fields(2);
  auto [f3, b3] = fields(3);
  CHECK(f1 == "ID:string,Title:string,Votes:integer,Score:double,Open:boolean,Created:date,Platforms:string,");
  CHECK(f2 == "ID:string,Title:string,Votes:integer,Score:double,Open:boolean,Created:date,Platforms:string,Severity:integer,");
  CHECK(b2.find(R"({"fieldOrdinal":7,"dataType":"integer","computedValue":"","values":[]})") != std::string::npos);
  CHECK(f3 == "ID:string,Headline:string,Votes:string,Score:double,Open:boolean,Created:date,Platforms:string,Severity:integer,");
  CHECK(b3.find(R"({"fieldOrdinal":2,"dataType":"string")") != std::string::npos);
}

TEST_CASE("fault: rows inserted or deleted between page requests", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  dom::parser parser;
  auto ids = [&](int p) {
    std::string body = page(http, p);
    dom::element doc = parser.parse(body);
    std::string out;
    for (dom::element row : dom::array(doc["data"])) out += std::string(std::string_view(row.at(0)["computedValue"])) + " ";
    return out + "/" + std::to_string(int64_t(doc["paging"]["totalResults"]));
  };
  set_faults(http, R"({"rules":[{"kind":"rows_insert","page":2,"count":1}]})");
  CHECK(ids(1) == "BUG-1 BUG-2 /5");
  CHECK(ids(2) == "BUG-2 BUG-3 /6");  // BUG-2 seen again
  CHECK(ids(3) == "BUG-4 BUG-5 /6");
  set_faults(http, R"({"rules":[{"kind":"rows_delete","page":2,"count":1}]})");
  CHECK(ids(1) == "BUG-1 BUG-2 /5");
  CHECK(ids(2) == "BUG-4 BUG-5 /4");  // BUG-3 never seen
  // staleTotals: the rows move, the announced totals stay those of the unshifted package.
  set_faults(http, R"({"rules":[{"kind":"rows_insert","page":2,"count":1,"staleTotals":true}]})");
  CHECK(ids(2) == "BUG-2 BUG-3 /5");
  set_faults(http, R"({"rules":[{"kind":"rows_delete","page":2,"count":1,"staleTotals":true}]})");
  CHECK(ids(2) == "BUG-4 BUG-5 /5");
  // Reset clears runtime faults.
  REQUIRE(http.request("POST", "/_sim/reset").status == 200);
  CHECK(ids(2) == "BUG-3 BUG-4 /5");
}

TEST_CASE("fault: the request log names the faults that acted on each request", "[sim][faults]") {
  auto sim = basic_sim();
  HttpTestClient http(sim.host(), sim.port());
  set_faults(http, R"({"rules":[{"kind":"error","status":502,"times":1,"path":"Bugs","page":1},
                                {"kind":"latency","latencyMs":1,"path":"Bugs","page":2},
                                {"kind":"truncate","times":1,"path":"Bugs","page":2}]})");
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 502);
  CHECK(http.get(with_key(kBugs + "?page=1")).status == 200);
  CHECK_FALSE(http.get(with_key(kBugs + "?page=2")).error.empty());
  dom::parser parser;
  std::string body = http.get("/_sim/requests").body;
  dom::element log = parser.parse(body);
  std::vector<std::string> faults;
  for (dom::element r : dom::array(log)) {
    std::string_view f;
    faults.emplace_back(r["fault"].get(f) == simdjson::SUCCESS ? std::string(f) : std::string("-"));
  }
  CHECK(faults == std::vector<std::string>{"error", "-", "latency,truncate"});
}

// Faults that act after the request was handled, for push-safety tests: the creation takes
// effect (the next feedback gets the next key), then the answer is an error, nothing at all, or
// never comes; `skip` lets matching requests through first.
TEST_CASE("fault: error after handling, close without answer, skip", "[sim][faults]") {
  SimProcess sim(sim_args());
  HttpTestClient http(sim.host(), sim.port());
  const std::string feedback = with_key("/api/v1/projects/WidgetPro/feedback/Mobile");
  const std::string body = R"({"submitter":"a@b.c","summary":"s","description":"d"})";
  auto key_of = [](const std::string& json) {
    auto at = json.find("SUG-");
    return at == std::string::npos ? std::string() : json.substr(at, 8);
  };

  set_faults(http, R"({"rules":[{"kind":"error","status":502,"after":true,"times":1,"path":"feedback/Mobile"}]})");
  auto r = http.post_json(feedback, body);
  CHECK(r.status == 502);
  CHECK(key_of(http.post_json(feedback, body).body) == "SUG-0024");  // SUG-0023 was created by the 502'd request

  set_faults(http, R"({"rules":[{"kind":"close","times":1,"path":"feedback/Mobile"}]})");
  r = http.post_json(feedback, body);
  CHECK(r.status == 0);  // no answer at all
  CHECK_FALSE(r.error.empty());
  CHECK(key_of(http.post_json(feedback, body).body) == "SUG-0026");  // SUG-0025 was created

  set_faults(http, R"({"rules":[{"kind":"error","status":503,"skip":1,"times":1,"path":"feedback/Mobile"}]})");
  CHECK(http.post_json(feedback, body).status == 201);  // skipped
  CHECK(http.post_json(feedback, body).status == 503);  // fires (before handling: nothing created)
  CHECK(key_of(http.post_json(feedback, body).body) == "SUG-0028");
}
