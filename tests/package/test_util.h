// Helpers for the package tests: fixtures, decoding shortcuts, splitting COPY text.
#pragma once

#include "support/source_root.h"
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "package/decoder.h"

namespace ccetl::test {

inline std::filesystem::path package_fixture_dir() {
  return source_root() / "tests" / "fixtures" / "package";
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(package_fixture_dir() / name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    if (at == std::string::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

// The lines of copy_text, each split into its columns (still COPY-escaped).
inline std::vector<std::vector<std::string>> rows_of(const DecodedPage& page) {
  std::vector<std::vector<std::string>> rows;
  if (page.copy_text.empty()) return rows;
  auto lines = split(page.copy_text, '\n');
  lines.pop_back();  // text ends with '\n'
  for (const auto& line : lines) rows.push_back(split(line, '\t'));
  return rows;
}

// A data package body from a fields JSON array and rows JSON array.
inline std::string package_json(const std::string& fields, const std::string& data,
                                const std::string& paging =
                                    R"({"currentPage":1,"totalPages":1,"resultsPerPage":1000,"totalResults":1})") {
  return R"({"paging":)" + paging + R"(,"fields":)" + fields + R"(,"data":)" + data + "}";
}

// One field named "F" of `type`, one row whose only cell has `values` (JSON array text).
inline std::string single_cell(const std::string& type, const std::string& values,
                               const std::string& extra = "") {
  return package_json(R"([{"name":"F","dataType":")" + type + R"("}])",
                      R"([[{"fieldOrdinal":0,"dataType":")" + type + R"(")" + extra + R"(,"values":)" + values +
                          "}]]");
}

}  // namespace ccetl::test
