// In-process checks that synthetic pages render to exactly the bytes they always have: FNV-1a
// checksums of rendered pages, recorded from the original Row-based renderer (before the direct
// JSON writer of synthetic_json.h existed), for specs that cover versions, change/delete ratios,
// unicode on/off, every field type, empty and multi-valued cells, row shifts, schema drift and
// CSV; the direct writer against the Row path over many more specs; and the value formats
// against the printf formats they replaced.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "sim/fixtures.h"
#include "sim/render.h"
#include "sim/synthetic.h"

using namespace ccetl::sim;

namespace {

uint64_t fnv1a(const std::string& s, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// An installed data-package endpoint for a synthetic spec (the JSON object's members).
Endpoint synthetic_endpoint(const std::string& spec, int results_per_page) {
  Endpoint ep = parse_fixtures(R"({"path": "/projects/P/feedbackDataPackages/R", "resultsPerPage": )" +
                                   std::to_string(results_per_page) + R"(, "synthetic": {)" + spec + "}}",
                               "KEY")[0];
  auto table = std::make_shared<SyntheticTable>(*ep.synthetic);
  ep.fields = table->fields();
  ep.table = std::move(table);
  return ep;
}

struct GoldenCase {
  const char* name;
  const char* spec;
  int results_per_page;
  int first_page;
  int last_page;
  int64_t row_shift;
  uint64_t json_fnv;  // of pages first..last concatenated
};

constexpr const char* kBenchFields =
    R"("fields": ["string", "string", "string", "integer", "integer", "double", "double", "date", "date", "boolean", "string"])";

const std::string kBench = std::string(R"("rows": 3000, "seed": 1, )") + kBenchFields +
                           R"(, "emptyRatio": 0.1, "multiRatio": 0.05, "unicode": true, "changeRatio": 0.1, "deleteRatio": 0.01)";
const std::string kBenchV0 = kBench + R"(, "version": 0)";
const std::string kBenchV2 = kBench + R"(, "version": 2)";
const std::string kChurn =
    R"("rows": 1500, "seed": 42, "fields": 7, "unicode": false, "version": 5, "changeRatio": 0.4, "deleteRatio": 0.1, "emptyRatio": 0.25, "multiRatio": 0.3)";
const std::string kOddTypes =
    R"("rows": 300, "seed": 7, "fields": ["Date", "text", "boolean", "we\"ird\\type", "integer", "double", "date", "string"], "emptyRatio": 0.0, "multiRatio": 1.0, "unicode": true, "version": 1, "changeRatio": 0.5, "deleteRatio": 0.0)";
const std::string kAllEmpty = R"("rows": 50, "seed": 3, "fields": 10, "emptyRatio": 1.0)";
const std::string kIdOnly = R"("rows": 40, "seed": 5, "fields": 0, "version": 3, "deleteRatio": 0.2)";
const std::string kNoRows = R"("rows": 0, "seed": 5)";
const std::string kLongIds = R"("rows": 10000003, "seed": 9, "fields": ["string", "double"], "deleteRatio": 0.0)";

}  // namespace

TEST_CASE("synthetic JSON pages keep their recorded bytes", "[sim][synthetic][golden]") {
  const GoldenCase cases[] = {
      {"bench v0", kBenchV0.c_str(), 1000, 1, 4, 0, 0x4141596a2204e19d},
      {"bench v2", kBenchV2.c_str(), 1000, 1, 3, 0, 0xa26991c14605332b},
      {"bench v0 rows inserted", kBenchV0.c_str(), 1000, 1, 2, 7, 0x6209a8c2acf05045},
      {"bench v0 rows deleted", kBenchV0.c_str(), 1000, 1, 2, -13, 0x15bcf11e636d69d0},
      {"churn", kChurn.c_str(), 200, 1, 7, 0, 0x0dfe2685b7382587},
      {"odd types", kOddTypes.c_str(), 100, 1, 4, 0, 0x9acdba7067158003},
      {"all empty", kAllEmpty.c_str(), 20, 1, 3, 0, 0x43b1bfe02cf5fb3f},
      {"ID only", kIdOnly.c_str(), 16, 1, 3, 0, 0xc35aa834d6c53cd9},
      {"no rows", kNoRows.c_str(), 10, 1, 1, 0, 0xd3f386e25e2569db},
      {"IDs past seven digits", kLongIds.c_str(), 1000, 10001, 10001, 0, 0xbdd7bc7c41694c62},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Endpoint ep = synthetic_endpoint(c.spec, c.results_per_page);
    FaultActions faults;
    faults.row_shift = c.row_shift;
    uint64_t rows = fnv1a(""), direct = fnv1a("");
    for (int page = c.first_page; page <= c.last_page; ++page) {
      rows = fnv1a(render_page_json(build_page(ep, page, faults)), rows);
      direct = fnv1a(render_data_page_json(ep, page, faults), direct);
    }
    CHECK(rows == c.json_fnv);
    CHECK(direct == c.json_fnv);
  }
}

TEST_CASE("synthetic pages with schema drift and as CSV keep their recorded bytes", "[sim][synthetic][golden]") {
  FaultActions drift;
  FaultRule add;
  add.kind = FaultKind::FieldAdd;
  add.name = "Extra";
  add.type = "integer";
  FaultRule rename;
  rename.kind = FaultKind::FieldRename;
  rename.field = 2;
  rename.name = "Renamed";
  FaultRule retype;
  retype.kind = FaultKind::FieldRetype;
  retype.field = 3;
  retype.type = "string";
  drift.drift = {add, rename, retype};

  uint64_t h = fnv1a("");
  for (const auto* spec : {&kChurn, &kOddTypes}) {
    Endpoint ep = synthetic_endpoint(*spec, 100);
    for (int page = 1; page <= 3; ++page) {
      std::string json = render_data_page_json(ep, page, drift);
      CHECK(json == render_page_json(build_page(ep, page, drift)));
      h = fnv1a(json, h);
    }
  }
  CHECK(h == 0x4caf37008d5d3d4dULL);

  h = fnv1a("");
  for (const auto* spec : {&kBenchV2, &kOddTypes}) {
    Endpoint ep = synthetic_endpoint(*spec, 250);
    for (int page = 1; page <= 2; ++page) h = fnv1a(render_page_csv(build_page(ep, page, FaultActions{})), h);
  }
  CHECK(h == 0x69c52de36019644fULL);
}

TEST_CASE("the golden specs exercise what they are meant to", "[sim][synthetic][golden]") {
  auto page = [](const std::string& spec, int rpp, int page) {
    return render_page_json(build_page(synthetic_endpoint(spec, rpp), page, FaultActions{}));
  };
  std::string odd = page(kOddTypes, 100, 1);
  CHECK(odd.find(R"("dataType":"we\"ird\\type")") != std::string::npos);
  for (const char* s : {R"(\"quoted\")", R"(line\nbreak)", R"(tab\there)", R"(back\\slash)", "日本語", "😀"})
    CHECK(odd.find(s) != std::string::npos);
  CHECK(odd.find(R"("values":[true,)") != std::string::npos);  // multi-valued booleans
  std::string bench = page(kBenchV0, 1000, 1);
  CHECK(bench.find(R"("computedValue":"","values":[])") != std::string::npos);
  CHECK(bench.find(R"("dataType":"double","computedValue":"-)") != std::string::npos);
  std::string churn = page(kChurn, 200, 1);
  CHECK(std::none_of(churn.begin(), churn.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  CHECK(page(kLongIds, 1000, 10001).find(R"("values":["ROW-10000001"])") != std::string::npos);
}

TEST_CASE("the direct JSON writer matches the Row path", "[sim][synthetic]") {
  const char* field_sets[] = {R"("fields": 5)", kBenchFields, R"("fields": ["date", "boolean", "x\ty", "double"])"};
  int specs = 0;
  for (const char* fields : field_sets)
    for (int version : {0, 1, 4})
      for (const char* unicode : {"true", "false"})
        for (const char* ratios : {R"("emptyRatio": 0.1, "multiRatio": 0.05, "changeRatio": 0.1, "deleteRatio": 0.01)",
                                   R"("emptyRatio": 0.4, "multiRatio": 0.6, "changeRatio": 0.7, "deleteRatio": 0.2)"}) {
          std::string spec = std::string(R"("rows": 700, "seed": )") + std::to_string(++specs) + ", " + fields +
                             R"(, "version": )" + std::to_string(version) + R"(, "unicode": )" + unicode + ", " + ratios;
          INFO(spec);
          Endpoint ep = synthetic_endpoint(spec, 300);
          for (int64_t shift : {0, 5, -9}) {
            FaultActions faults;
            faults.row_shift = shift;
            for (int page = 1; page <= 4; ++page)
              REQUIRE(render_data_page_json(ep, page, faults) == render_page_json(build_page(ep, page, faults)));
          }
        }
}

TEST_CASE("synthetic value formats are the printf formats they replaced", "[sim][synthetic]") {
  char buf[64];
  for (uint64_t i = 0; i < 200000; ++i) {
    uint64_t h = mix_hash(i, 77);
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(h % 2000001) - 1000000);
    REQUIRE(make_value(ValueKind::Integer, h, false) == buf);
    std::snprintf(buf, sizeof buf, "%.2f", (static_cast<double>(h % 20000001) - 10000000.0) / 100.0);
    REQUIRE(make_value(ValueKind::Double, h, false) == buf);
    uint64_t y = 2010 + h % 16, mo = 1 + (h >> 8) % 12, d = 1 + (h >> 16) % 28;
    uint64_t hh = (h >> 24) % 24, mi = (h >> 32) % 60, ss = (h >> 40) % 60;
    std::snprintf(buf, sizeof buf, "%04llu-%02llu-%02lluT%02llu:%02llu:%02llu", (unsigned long long)y,
                  (unsigned long long)mo, (unsigned long long)d, (unsigned long long)hh, (unsigned long long)mi,
                  (unsigned long long)ss);
    REQUIRE(make_value(ValueKind::Date, h, false) == buf);
  }
  // Doubles near zero and at the ends of the range (h % 20000001 is the cent count + 10^7).
  for (uint64_t m : {0ULL, 1ULL, 99ULL, 100ULL, 9999899ULL, 9999900ULL, 9999901ULL, 9999999ULL, 10000000ULL,
                     10000001ULL, 10000099ULL, 10000100ULL, 20000000ULL}) {
    std::snprintf(buf, sizeof buf, "%.2f", (static_cast<double>(m) - 10000000.0) / 100.0);
    CHECK(make_value(ValueKind::Double, m, false) == buf);
  }
  std::string id;
  for (uint64_t r : {0ULL, 9999998ULL, 9999999ULL, 123456788ULL}) {
    std::snprintf(buf, sizeof buf, "ROW-%07llu", static_cast<unsigned long long>(r + 1));
    id.clear();
    append_row_id(r, id);
    CHECK(id == buf);
  }
}
