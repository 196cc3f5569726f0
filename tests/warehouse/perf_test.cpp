#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>

#include "wh_support.h"
using namespace wh_test;
// Manual: ./build/tests/test_warehouse "[.perf]" (hidden from the default run).
TEST_CASE("200k rows x 10 columns: first load, unchanged resync, all changed", "[.perf]") {
  Db db;
  auto spec = keyed_spec();
  std::vector<ccetl::Field> f{field("ID", ccetl::DataType::Integer)};
  for (int c = 0; c < 9; ++c) f.push_back(field("C" + std::to_string(c), ccetl::DataType::String));
  auto make = [&](const std::string& v) {
    std::string text;
    for (int i = 0; i < 200000; ++i) {
      text += std::to_string(i) + "\t" + std::to_string(i);
      for (int c = 0; c < 9; ++c) text += "\tvalue " + v + std::to_string(c);
      text += "\t\\N\n";
    }
    return text;
  };
  for (auto v : {"a", "a", "b"}) {
    std::string text = make(v);
    auto t0 = std::chrono::steady_clock::now();
    std::string id = db.wh->start_run(spec.job);
    auto load = db.wh->begin_load(spec, id);
    load->prepare(f);
    copy_rows(*load, text);
    auto t1 = std::chrono::steady_clock::now();
    std::cout << "copy " << std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count()
              << "\n";
    auto c = load->commit({});
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::cout << v << " ins " << c.inserted << " upd " << c.updated << " unch " << c.unchanged
              << " " << ms << " ms\n";
  }
}
