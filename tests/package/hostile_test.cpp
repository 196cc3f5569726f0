// Hostile pages: every one must end in a clear Error(Data) (or a documented reject), never a
// crash, and leave the output page empty.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/error.h"
#include "package/decoder.h"
#include "test_util.h"

using namespace ccetl;
using ccetl::test::package_json;
using ccetl::test::single_cell;

namespace {
const std::string kPaging = R"({"currentPage":1,"totalPages":1,"resultsPerPage":1000,"totalResults":1})";
const std::string kTwoFields = R"([{"name":"A","dataType":"string"},{"name":"B","dataType":"integer"}])";

// Decodes `body` into a page that held rows before, expecting Error(Data); returns its message.
std::string data_error(std::string body, const DecodeOptions& options = {}) {
  Decoder decoder;
  DecodedPage page;
  std::string warm = package_json(R"([{"name":"A","dataType":"string"}])", R"([[{"values":["x"]}]])");
  decoder.decode_data_package(warm, {}, 1, page);
  REQUIRE_FALSE(page.copy_text.empty());
  try {
    decoder.decode_data_package(body, options, 1, page);
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Data);
    CHECK(page.copy_text.empty());
    CHECK(page.fields.empty());
    CHECK(page.rejects.empty());
    CHECK(page.rows_emitted == 0);
    CHECK_FALSE(page.paging.present);
    return e.what();
  }
  FAIL("no error for: " << body.substr(0, 200));
  return "";
}
}  // namespace

TEST_CASE("malformed documents", "[package][hostile]") {
  CHECK(data_error("") == "empty body (no JSON document)");
  CHECK(data_error("  \n ") == "empty body (no JSON document)");
  CHECK(data_error("[]") == "body is not a JSON object (starts with '[]')");
  CHECK(data_error("\"text\"") == "body is not a JSON object (starts with '\"text\"')");
  CHECK(data_error("<html><body>Bad gateway</body></html>").find("body is not a JSON object (starts with '<html>") == 0);
  CHECK(data_error("{").find("malformed JSON") == 0);
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"fields":[}])").find("malformed JSON") == 0);
  CHECK(data_error(package_json(kTwoFields, "[[")) == "malformed JSON (unexpected '}') at byte 169 (row 1, cell 1)");
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},]])")).find("malformed JSON (unexpected ']') at byte") == 0);
  CHECK(data_error(package_json(kTwoFields, "[]") + " {}").find("trailing content") != std::string::npos);
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":[1 2]}]])")).find("malformed JSON") == 0);
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},{"values":[01]}]])")).find("row 1, cell 2") !=
        std::string::npos);
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},{"values":[tru]}]])")).find("row 1") !=
        std::string::npos);
}

TEST_CASE("wrong top-level shapes", "[package][hostile]") {
  CHECK(data_error(R"({"fields":[],"data":[]})") == "missing `paging`");
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"data":[]})") == "missing `fields`");
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"fields":[]})") == "missing `data`");
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"fields":{},"data":[]})") == "`fields` is not an array");
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"fields":[],"data":{}})") == "`data` is not an array");
  CHECK(data_error(R"({"paging":[],"fields":[],"data":[]})") == "`paging` is not an object");
  CHECK(data_error(R"({"paging":)" + kPaging + R"(,"fields":[],"fields":[],"data":[]})") == "`fields` appears twice");
  CHECK(data_error(package_json(kTwoFields, "[1]")) == "row 1: is not an array");
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},"x"]])")) == "row 1, cell 2: is not an object");
}

TEST_CASE("paging values", "[package][hostile]") {
  auto with = [](const std::string& paging) { return package_json("[]", "[]", paging); };
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":-1,"resultsPerPage":10,"totalResults":0})")) ==
        "`paging.totalPages` is negative");
  CHECK(data_error(with(R"({"currentPage":0,"totalPages":1,"resultsPerPage":10,"totalResults":0})")) ==
        "`paging.currentPage` is 0, below 1");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":1,"resultsPerPage":0,"totalResults":0})")) ==
        "`paging.resultsPerPage` is 0, below 1");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":1,"resultsPerPage":10,"totalResults":-5})")) ==
        "`paging.totalResults` is negative");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":1,"resultsPerPage":10})")) ==
        "missing `paging.totalResults`");
  CHECK(data_error(with(R"({"currentPage":"1","totalPages":1,"resultsPerPage":10,"totalResults":1})")) ==
        "`paging.currentPage` is not an integer");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":1e3,"resultsPerPage":10,"totalResults":1})")) ==
        "`paging.totalPages` is not an integer");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":99999999999999999999,"resultsPerPage":10,"totalResults":1})")) ==
        "`paging.totalPages` is not an integer");
  CHECK(data_error(with(R"({"currentPage":1,"totalPages":9000000000000000000,"resultsPerPage":1000,"totalResults":5000})")) ==
        "`paging.totalPages` is 9000000000000000000 but totalResults 5000 at resultsPerPage 1000 needs 5");
  // Zero pages with zero results is the empty package; a page past the end is allowed too.
  Decoder decoder;
  DecodedPage page;
  std::string body = with(R"({"currentPage":3,"totalPages":0,"resultsPerPage":1000,"totalResults":0})");
  decoder.decode_data_package(body, {}, 1, page);
  CHECK(page.paging.total_pages == 0);
}

TEST_CASE("fields and cells that do not line up", "[package][hostile]") {
  CHECK(data_error(package_json(kTwoFields, R"([[{"fieldOrdinal":0,"values":["a"]}]])")) ==
        "row 1: has 1 cells but there are 2 fields");
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},{"values":[1]},{"values":[2]}]])")) ==
        "row 1, cell 3: cell has fieldOrdinal 2 but there are 2 fields");
  CHECK(data_error(package_json(kTwoFields, R"([[{"values":["a"]},{"values":[1]}],[{"fieldOrdinal":9,"values":[]}]])")) ==
        "row 2, cell 1: cell has fieldOrdinal 9 but there are 2 fields");
  CHECK(data_error(package_json(kTwoFields, R"([[{"fieldOrdinal":-1,"values":[]}]])")) ==
        "row 1, cell 1: cell has fieldOrdinal -1 but there are 2 fields");
  CHECK(data_error(package_json(kTwoFields, R"([[{"fieldOrdinal":1,"values":[1]},{"fieldOrdinal":1,"values":[2]}]])")) ==
        "row 1, cell 2: fieldOrdinal 1 appears in two cells");
  CHECK(data_error(package_json(kTwoFields, R"([[{"fieldOrdinal":"0","values":[]}]])")) ==
        "row 1, cell 1: fieldOrdinal is not an integer");
  CHECK(data_error(package_json(kTwoFields, R"([[{"fieldOrdinal":0,"values":"a"},{"values":[1]}]])")) ==
        "row 1, cell 1: `values` is not an array");
  CHECK(data_error(package_json(R"([{"name":"A","dataType":"money"}])", "[]")) ==
        "`fields[0]` ('A') has unknown dataType 'money'");
  CHECK(data_error(package_json(R"([{"dataType":"string"}])", "[]")) == "`fields[0]` has no `name`");
  CHECK(data_error(package_json(R"([{"name":"A"}])", "[]")) == "`fields[0]` ('A') has no `dataType`");
  CHECK(data_error(package_json(R"([{"name":7,"dataType":"string"}])", "[]")) == "`fields[0]`.name is not a string");
  CHECK(data_error(package_json(R"([3])", "[]")) == "`fields[0]` is not an object");
  DecodeOptions options;
  options.key_fields = {"ID"};
  CHECK(data_error(package_json(kTwoFields, "[]"), options) ==
        "key field 'ID' is not among the package's fields: A, B");
}

TEST_CASE("strings simdjson refuses", "[package][hostile]") {
  CHECK(data_error(single_cell("string", "[\"\xc3\x28\"]")).find("UTF8_ERROR") != std::string::npos);
  CHECK(data_error(single_cell("string", "[\"raw\ttab\"]")).find("malformed JSON") == 0);
}

TEST_CASE("bad string escapes are rejects", "[package][hostile]") {
  for (const char* values : {R"(["\ud800"])", R"(["ok", "\udc00x", 5])", R"(["\x"])"}) {
    INFO(values);
    Decoder decoder;
    DecodedPage page;
    std::string body = single_cell("string", values, R"(,"computedValue":"bad \ud800")");
    decoder.decode_data_package(body, {}, 1, page);
    REQUIRE(page.rejects.size() == 1);
    CHECK(page.rejects[0].reason == "invalid string escape (such as a lone surrogate)");
    CHECK(page.rejects[0].raw_value.find('\\') != std::string::npos);
    CHECK(page.copy_text.substr(0, 5) == "1\t\\N\t");
  }
  Decoder decoder;
  DecodedPage page;
  std::string body = single_cell("string", R"(["a","b"])", R"(,"computedValue":"bad \ud800")");
  decoder.decode_data_package(body, {}, 1, page);
  CHECK(page.copy_text == "1\ta, b\t{\"F\":[\"a\",\"b\"]}\n");  // computedValue unusable: joined
  body = single_cell("integer", R"([[1], 2, {"x":1}, 3])");
  decoder.decode_data_package(body, {}, 1, page);
  CHECK(page.copy_text == "1\t\\N\t{\"F\":[null,\"2\",null,\"3\"]}\n");
  CHECK(page.rejects.size() == 1);
}

TEST_CASE("the bad fixture corpus", "[package][hostile]") {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ccetl::test::package_fixture_dir() / "bad")) {
    INFO(entry.path().filename().string());
    std::string message = data_error(ccetl::test::read_fixture("bad/" + entry.path().filename().string()));
    CHECK_FALSE(message.empty());
    ++count;
  }
  CHECK(count >= 8);
}

TEST_CASE("large and deep inputs", "[package][hostile]") {
  SECTION("a 10 MB cell") {
    std::string big(10u << 20, 'z');
    Decoder decoder;
    DecodedPage page;
    std::string body = single_cell("string", "[\"" + big + "\"]");
    decoder.decode_data_package(body, {}, 1, page);
    CHECK(page.copy_text.size() == big.size() + 6);
  }
  SECTION("10 000 fields") {
    std::string fields = "[", cells = "[[";
    for (int i = 0; i < 10000; ++i) {
      if (i) {
        fields += ",";
        cells += ",";
      }
      fields += R"({"name":"f)" + std::to_string(i) + R"(","dataType":"integer"})";
      cells += R"({"fieldOrdinal":)" + std::to_string(9999 - i) + R"(,"values":[)" + std::to_string(i) + "]}";
    }
    Decoder decoder;
    DecodedPage page;
    std::string body = package_json(fields + "]", cells + "]]");
    decoder.decode_data_package(body, {}, 1, page);
    auto rows = ccetl::test::rows_of(page);
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == 10002);
    CHECK(rows[0][1] == "9999");
    CHECK(rows[0][10000] == "0");
  }
  SECTION("deeply nested values") {
    // Nested arrays in `values` are skipped whole (On-Demand does not descend): one reject.
    for (int depth : {3, 5000}) {
      std::string deep = std::string(depth, '[') + "1" + std::string(depth, ']');
      Decoder decoder;
      DecodedPage page;
      std::string body = single_cell("string", "[" + deep + "]");
      decoder.decode_data_package(body, {}, 1, page);
      REQUIRE(page.rejects.size() == 1);
      CHECK(page.rejects[0].reason == "nested JSON value in `values`");
      CHECK(page.rejects[0].raw_value.size() <= 1024);
      CHECK(page.copy_text == "1\t\\N\t\\N\n");
    }
    // Unbalanced nesting is malformed.
    CHECK(data_error(single_cell("string", "[" + std::string(5000, '[') + "]")).find("malformed JSON") == 0);
  }
  SECTION("a page over the size limit") {
    Decoder decoder(1024);
    DecodedPage page;
    std::string body = single_cell("string", "[\"" + std::string(2000, 'a') + "\"]");
    CHECK_THROWS_WITH(decoder.decode_data_package(body, {}, 1, page),
                      "page of " + std::to_string(body.size()) + " bytes exceeds the limit of 1024 bytes");
  }
}
