// Decoder throughput on 1000-row pages of a 12-field feedback-like data package.
// Reports bytes/s of JSON body decoded into COPY text (one thread).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "package/decoder.h"

namespace {

struct FieldSpec {
  const char* name;
  const char* type;
};

constexpr FieldSpec kFields[12] = {
    {"ID", "string"},           {"Summary", "string"},        {"Status", "string"},
    {"Severity", "string"},     {"Popularity Score", "integer"}, {"Impact Score", "integer"},
    {"# of Replies", "integer"}, {"Date Added", "date"},        {"Last Updated", "date"},
    {"Rating", "double"},       {"Blocker", "boolean"},        {"Platforms", "string"},
};

std::string make_page(int rows) {
  std::string s = R"({"paging":{"currentPage":1,"totalPages":50,"resultsPerPage":1000,"totalResults":50000},"fields":[)";
  for (int f = 0; f < 12; ++f) {
    if (f) s += ',';
    s += R"({"name":")" + std::string(kFields[f].name) + R"(","dataType":")" + kFields[f].type + R"("})";
  }
  s += R"(],"data":[)";
  for (int r = 0; r < rows; ++r) {
    if (r) s += ',';
    s += '[';
    for (int f = 0; f < 12; ++f) {
      if (f) s += ',';
      std::string type = kFields[f].type;
      std::string values, computed;
      switch (f) {
        case 0: computed = "BUG-" + std::to_string(10000 + r); values = '"' + computed + '"'; break;
        case 1: computed = "WiFi drops after the device wakes from sleep on build " + std::to_string(r % 97);
                values = '"' + computed + '"'; break;
        case 2: computed = "Logged Internally"; values = '"' + computed + '"'; break;
        case 3: computed = "Critical"; values = '"' + computed + '"'; break;
        case 4: case 5: case 6: computed = std::to_string((r * 7 + f) % 1000); values = computed; break;
        case 7: case 8: computed = "2023-0" + std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10) + "T19:37:00";
                values = '"' + computed + '"'; break;
        case 9: computed = std::to_string(r % 5) + ".25"; values = computed; break;
        case 10: computed = (r % 2) ? "Yes" : "No"; values = '"' + computed + '"'; break;
        case 11:
          if (r % 4 == 0) { computed = "iOS, Android"; values = R"("iOS","Android")"; }
          else { computed = "Windows"; values = R"("Windows")"; }
          break;
      }
      s += R"({"fieldOrdinal":)" + std::to_string(f) + R"(,"dataType":")" + type + R"(","computedValue":")" +
           computed + R"(","values":[)" + values + "]}";
    }
    s += ']';
  }
  s += "]}";
  return s;
}

void BM_DecodeDataPackage(benchmark::State& state) {
  std::string body = make_page(1000);
  body.reserve(body.size() + 64);
  ccetl::Decoder decoder;
  ccetl::DecodedPage page;
  ccetl::DecodeOptions options;
  options.key_fields = {"ID"};
  for (auto _ : state) {
    decoder.decode_data_package(body, options, 1, page);
    benchmark::DoNotOptimize(page.copy_text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
  state.counters["page_bytes"] = static_cast<double>(body.size());
  state.counters["rows/s"] = benchmark::Counter(1000.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeDataPackage)->Unit(benchmark::kMicrosecond);

void BM_DecodeCsv(benchmark::State& state) {
  std::string csv = "ID,Summary,Status,Score\r\n";
  for (int r = 0; r < 1000; ++r)
    csv += "BUG-" + std::to_string(r) + ",\"WiFi drops, after sleep\",Logged Internally," + std::to_string(r) + "\r\n";
  ccetl::Decoder decoder;
  ccetl::DecodedPage page;
  for (auto _ : state) {
    decoder.decode_csv(csv, {}, 1, page);
    benchmark::DoNotOptimize(page.copy_text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(csv.size()));
}
BENCHMARK(BM_DecodeCsv)->Unit(benchmark::kMicrosecond);

// Pages recorded from the simulator by scripts/bench (one JSON body per *.json file in
// $CCETL_BENCH_PAGES): the decoder alone, all pages per iteration, one thread.
std::vector<std::string> load_recorded(const std::string& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> bodies;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    bodies.push_back(ss.str());
    bodies.back().reserve(bodies.back().size() + 64);  // simdjson padding, as the HTTP client leaves
  }
  return bodies;
}

void BM_DecodeRecorded(benchmark::State& state, std::vector<std::string>* bodies) {
  ccetl::Decoder decoder;
  ccetl::DecodedPage page;
  ccetl::DecodeOptions options;
  options.key_fields = {"ID"};
  int64_t bytes = 0, rows = 0;
  for (auto _ : state) {
    for (auto& body : *bodies) {
      decoder.decode_data_package(body, options, 1, page);
      benchmark::DoNotOptimize(page.copy_text.data());
      bytes += static_cast<int64_t>(body.size());
      rows += page.rows_read;
    }
  }
  state.SetBytesProcessed(bytes);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["pages"] = static_cast<double>(bodies->size());
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<std::string> recorded;
  if (const char* dir = std::getenv("CCETL_BENCH_PAGES"); dir && *dir) {
    recorded = load_recorded(dir);
    if (!recorded.empty())
      benchmark::RegisterBenchmark("BM_DecodeRecorded", BM_DecodeRecorded, &recorded)->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
