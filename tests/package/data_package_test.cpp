// Data-package pages: the reference examples, typed cells, multi-valued cells, rejects, keys.
#include <catch2/catch.hpp>

#include <set>

#include "core/error.h"
#include "package/decoder.h"
#include "test_util.h"

using namespace ccetl;
using ccetl::test::package_json;
using ccetl::test::read_fixture;
using ccetl::test::rows_of;
using ccetl::test::single_cell;

namespace {
DecodedPage decode(std::string body, const DecodeOptions& options = {}, int64_t first_seq = 1) {
  Decoder decoder;
  DecodedPage page;
  decoder.decode_data_package(body, options, first_seq, page);
  return page;
}

// The single cell of single_cell(): its COPY text, and the page's rejects.
std::string cell(const std::string& type, const std::string& values, DecodedPage* out = nullptr,
                 const std::string& extra = "") {
  DecodedPage page = decode(single_cell(type, values, extra));
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 3);
  if (out) *out = page;
  return rows[0][1];
}
}  // namespace

TEST_CASE("community user example", "[package][json]") {
  DecodedPage page = decode(read_fixture("community_user_package.json"), {}, 41);
  CHECK(page.paging.present);
  CHECK(page.paging.current_page == 1);
  CHECK(page.paging.total_pages == 1);
  CHECK(page.paging.results_per_page == 1000);
  CHECK(page.paging.total_results == 1);
  REQUIRE(page.fields.size() == 2);
  CHECK(page.fields[0].name == "First L. Name");
  CHECK(page.fields[0].type == DataType::String);
  CHECK(page.fields[1].name == "Community Score Total");
  CHECK(page.fields[1].type == DataType::Integer);
  CHECK(page.copy_text == "41\tJim C.\t-825000\t\\N\n");
  CHECK(page.rows_emitted == 1);
  CHECK(page.rows_read == 1);
  CHECK(page.rejects.empty());
}

TEST_CASE("community project example", "[package][json]") {
  DecodedPage page = decode(read_fixture("community_project_package.json"));
  REQUIRE(page.fields.size() == 6);
  CHECK(page.fields[1].type == DataType::Date);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"1", "Spaceship V2 Beta", "2016-10-26 22:30:56", "9", "9", "5", "5", "\\N"});
  CHECK(rows[2][0] == "3");
  CHECK(rows[2][2] == "2014-04-14 20:31:10");
  CHECK(page.rejects.empty());
}

TEST_CASE("project user example has empty cells", "[package][json]") {
  DecodedPage page = decode(read_fixture("project_user_package.json"));
  REQUIRE(page.fields.size() == 8);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 8);
  CHECK(rows[0] == std::vector<std::string>{"1", "Alex B.", "1", "\\N", "3", "0", "\\N", "\\N", "\\N", "\\N"});
  CHECK(page.rows_read == 8);
}

TEST_CASE("project feedback example with a key", "[package][json]") {
  DecodeOptions options;
  options.key_fields = {"ID"};
  options.row_prefix = "WidgetPro\t";
  DecodedPage page = decode(read_fixture("project_feedback_package.json"), options, 100);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == std::vector<std::string>{"100", "WidgetPro", "BUG-0001", "WiFi Not Connecting", "11", "94", "3", "\\N"});
  CHECK(rows[4][0] == "104");
  CHECK(rows[4][2] == "BUG-0018");
}

TEST_CASE("typed cells from JSON strings, numbers and booleans", "[package][json]") {
  CHECK(cell("integer", R"([42])") == "42");
  CHECK(cell("integer", R"(["42"])") == "42");
  CHECK(cell("integer", R"([3.0])") == "3");
  CHECK(cell("double", R"([1.25])") == "1.25");
  CHECK(cell("double", R"(["-0.5"])") == "-0.5");
  CHECK(cell("boolean", R"([true])") == "t");
  CHECK(cell("boolean", R"(["No"])") == "f");
  CHECK(cell("boolean", R"([1])") == "t");
  CHECK(cell("date", R"(["2015-02-08T19:37:00"])") == "2015-02-08 19:37:00");
  CHECK(cell("string", R"([12])") == "12");
  CHECK(cell("string", R"([false])") == "false");
  CHECK(cell("string", R"(["tab\there\nnew \\ \"q\" \u00e9"])") == "tab\\there\\nnew \\\\ \"q\" é");
  CHECK(cell("string", R"([""])") == "");
  CHECK(cell("string", R"([])") == "\\N");
  CHECK(cell("string", R"(null)") == "\\N");
  CHECK(cell("integer", R"([null])") == "\\N");
}

TEST_CASE("values that do not fit their type are NULL and rejected", "[package][json][reject]") {
  struct Case {
    const char* type;
    const char* values;
    const char* raw;
    const char* reason;
  };
  const Case cases[] = {
      {"integer", R"(["abc"])", R"("abc")", "not an integer"},
      {"integer", R"([1.5])", "1.5", "not an integer"},
      {"integer", R"([99999999999999999999])", "99999999999999999999", "out of range"},
      {"integer", R"([true])", "true", "not an integer"},
      {"double", R"(["x1"])", R"("x1")", "not a number"},
      {"double", R"([1e999])", "1e999", "out of range"},
      {"boolean", R"(["maybe"])", R"("maybe")", "not a boolean"},
      {"date", R"(["2023-02-30"])", R"("2023-02-30")", "invalid date"},
      {"date", R"(["yesterday"])", R"("yesterday")", "not a date"},
      {"date", R"([20230101])", "20230101", "not a date"},
      {"string", R"(["a\u0000b"])", R"("a\u0000b")", "contains NUL byte"},
      {"string", R"([{"a":1}])", R"({"a":1})", "nested JSON value in `values`"},
      {"integer", R"([[1,2]])", "[1,2]", "nested JSON value in `values`"},
  };
  for (const Case& c : cases) {
    INFO(c.type << " " << c.values);
    DecodedPage page;
    CHECK(cell(c.type, c.values, &page) == "\\N");
    REQUIRE(page.rejects.size() == 1);
    CHECK(page.rejects[0].field == "F");
    CHECK(page.rejects[0].row_seq == 1);
    CHECK(page.rejects[0].page == 0);
    CHECK(page.rejects[0].raw_value == c.raw);
    CHECK(page.rejects[0].reason == c.reason);
    CHECK(page.rows_emitted == 1);
  }
}

TEST_CASE("multi-valued cells", "[package][json][multi]") {
  SECTION("string cell shows computedValue, _multi_values holds every value") {
    DecodedPage page = decode(single_cell("string", R"(["Red","Blue \"dark\""])", R"(,"computedValue":"Red; Blue")"));
    auto rows = rows_of(page);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][1] == "Red; Blue");
    CHECK(rows[0][2] == R"({"F":["Red","Blue \\"dark\\""]})");  // JSON, then COPY-escaped
  }
  SECTION("string cell without computedValue joins the values") {
    DecodedPage page = decode(single_cell("string", R"(["a","b\tc","d"])"));
    auto rows = rows_of(page);
    CHECK(rows[0][1] == "a, b\\tc, d");
    CHECK(rows[0][2] == R"({"F":["a","b\\tc","d"]})");
  }
  SECTION("typed cell takes its first value; numbers listed as strings") {
    DecodedPage page = decode(single_cell("integer", R"([3, "4", 5.0])", R"(,"computedValue":"3, 4, 5")"));
    auto rows = rows_of(page);
    CHECK(rows[0][1] == "3");
    CHECK(rows[0][2] == R"({"F":["3","4","5.0"]})");
  }
  SECTION("a rejected first value leaves the cell NULL but the list complete") {
    DecodedPage page = decode(single_cell("date", R"(["never","2020-01-01"])"));
    auto rows = rows_of(page);
    CHECK(rows[0][1] == "\\N");
    CHECK(rows[0][2] == R"({"F":["never","2020-01-01"]})");
    REQUIRE(page.rejects.size() == 1);
    CHECK(page.rejects[0].reason == "not a date");
  }
  SECTION("several multi cells, duplicate field names get a suffix") {
    std::string body = package_json(
        R"([{"name":"T","dataType":"string"},{"name":"T","dataType":"string"},{"name":"N","dataType":"integer"}])",
        R"([[{"fieldOrdinal":0,"values":["a","b"]},{"fieldOrdinal":1,"values":["c","d"]},{"fieldOrdinal":2,"values":[1]}]])");
    auto rows = rows_of(decode(body));
    CHECK(rows[0][1] == "a, b");
    CHECK(rows[0][2] == "c, d");
    CHECK(rows[0][3] == "1");
    CHECK(rows[0][4] == R"({"T":["a","b"],"T#2":["c","d"]})");
  }
}

TEST_CASE("key fields", "[package][json][keys]") {
  const std::string fields = R"([{"name":"ID","dataType":"string"},{"name":"N","dataType":"integer"}])";
  const std::string data =
      R"([[{"fieldOrdinal":0,"values":["A"]},{"fieldOrdinal":1,"values":[1]}],)"
      R"([{"fieldOrdinal":0,"values":[]},{"fieldOrdinal":1,"values":[2]}],)"
      R"([{"fieldOrdinal":0,"values":["a\u0000"]},{"fieldOrdinal":1,"values":[3]}],)"
      R"([{"fieldOrdinal":0,"values":["D"]},{"fieldOrdinal":1,"values":[4]}]])";
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = decode(package_json(fields, data), options, 10);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][0] == "10");
  CHECK(rows[1][0] == "13");  // rejected rows consume their seq
  CHECK(page.rows_read == 4);
  CHECK(page.rows_emitted == 2);
  REQUIRE(page.rejects.size() == 2);  // one per rejected row
  CHECK(page.rejects[0].row_seq == 11);
  CHECK(page.rejects[0].field == "ID");
  CHECK(page.rejects[0].reason == "missing key field 'ID'");
  CHECK(page.rejects[1].row_seq == 12);
  CHECK(page.rejects[1].field == "ID");
  CHECK(page.rejects[1].reason == "missing key field 'ID': contains NUL byte");
  CHECK(page.key_rejects == 2);

  options.key_fields = {"Nope"};
  try {
    decode(package_json(fields, data), options);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::Data);
    CHECK(std::string(e.what()) == "key field 'Nope' is not among the package's fields: ID, N");
  }
}

TEST_CASE("cells and keys in any order", "[package][json]") {
  const std::string fields =
      R"([{"dataType":"integer","name":"A","questionId":"q1","formId":"f1"},{"name":"B","dataType":"string"}])";
  SECTION("cells out of order, values before fieldOrdinal") {
    std::string body = package_json(fields,
        R"([[{"values":["x","y"],"computedValue":"x+y","fieldOrdinal":1},{"values":[7],"fieldOrdinal":0}]])");
    DecodedPage page = decode(body);
    CHECK(page.fields[0].question_id == "q1");
    CHECK(page.fields[0].form_id == "f1");
    CHECK(page.copy_text == "1\t7\tx+y\t{\"B\":[\"x\",\"y\"]}\n");
  }
  SECTION("no fieldOrdinal: position") {
    std::string body = package_json(fields, R"([[{"values":[7]},{"values":["s"]}]])");
    CHECK(decode(body).copy_text == "1\t7\ts\t\\N\n");
  }
  SECTION("data before fields and paging") {
    std::string body = R"({"data":[[{"fieldOrdinal":0,"values":[7]},{"fieldOrdinal":1,"values":["s"]}]],"fields":)" +
                       fields + R"(,"extra":{"x":[1,2]},"paging":{"totalResults":1,"resultsPerPage":10,"totalPages":1,"currentPage":1}})";
    DecodedPage page = decode(body);
    CHECK(page.copy_text == "1\t7\ts\t\\N\n");
    CHECK(page.paging.results_per_page == 10);
  }
}

TEST_CASE("parsing in place keeps the body; a short-capacity body is padded", "[package][json]") {
  std::string body = read_fixture("community_user_package.json");
  body.shrink_to_fit();
  const std::string copy = body;
  Decoder decoder;
  DecodedPage page;
  decoder.decode_data_package(body, {}, 1, page);
  CHECK(body == copy);
  CHECK(body.capacity() >= body.size() + 64);
  // The same decoder and page again: previous contents are replaced, not appended to.
  decoder.decode_data_package(body, {}, 5, page);
  CHECK(page.copy_text == "5\tJim C.\t-825000\t\\N\n");
  CHECK(page.rows_read == 1);
}

TEST_CASE("empty page", "[package][json]") {
  DecodedPage page = decode(package_json(R"([{"name":"A","dataType":"string"}])", "[]",
                                         R"({"currentPage":1,"totalPages":0,"resultsPerPage":1000,"totalResults":0})"));
  CHECK(page.copy_text.empty());
  CHECK(page.rows_read == 0);
  CHECK(page.fields.size() == 1);
  CHECK(page.paging.total_pages == 0);
}

TEST_CASE("an empty key value is rejected once per row, naming the key field", "[package][keys]") {
  std::string fields = R"([{"name":"ID","dataType":"string"},{"name":"N","dataType":"integer"}])";
  std::string data =
      R"([[{"fieldOrdinal":0,"computedValue":"","values":[""]},{"fieldOrdinal":1,"values":[1]}],)"
      R"([{"fieldOrdinal":0,"computedValue":"","values":[""]},{"fieldOrdinal":1,"values":[2]}],)"
      R"([{"fieldOrdinal":0,"values":[]},{"fieldOrdinal":1,"values":[3]}],)"
      R"([{"fieldOrdinal":0,"values":["K"]},{"fieldOrdinal":1,"values":[4]}]])";
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = decode(package_json(fields, data), options, 1);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][1] == "K");
  CHECK(page.key_rejects == 3);
  REQUIRE(page.rejects.size() == 3);
  CHECK(page.rejects[0].reason == "empty key field 'ID'");
  CHECK(page.rejects[1].reason == "empty key field 'ID'");
  CHECK(page.rejects[2].reason == "missing key field 'ID'");
}

TEST_CASE("a row rejected for its key gives one reject, whatever else was wrong in it", "[package][keys]") {
  std::string fields = R"([{"name":"ID","dataType":"string"},{"name":"N","dataType":"integer"}])";
  std::string data = R"([[{"fieldOrdinal":0,"values":[""]},{"fieldOrdinal":1,"values":["lots"]}],)"
                     R"([{"fieldOrdinal":0,"values":["K"]},{"fieldOrdinal":1,"values":["many"]}]])";
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = decode(package_json(fields, data), options, 1);
  REQUIRE(page.rejects.size() == 2);
  CHECK(page.rejects[0].row_seq == 1);
  CHECK(page.rejects[0].reason == "empty key field 'ID'");
  CHECK(page.rejects[1].row_seq == 2);  // a loaded row keeps its value rejects
  CHECK(page.rejects[1].reason == "not an integer");
}

TEST_CASE("each row rejected for its key has a content digest: equal for the same row, not for others",
          "[package][json][keys]") {
  // Rows 1 and 3 are the same row (as a shifting package serves a row twice); 2 differs only in
  // N; 4 only in its rejected key's raw text; 5 only in a multi-valued cell.
  const std::string fields = R"([{"name":"ID","dataType":"string"},{"name":"N","dataType":"integer"},)"
                             R"({"name":"T","dataType":"string"}])";
  const std::string data =
      R"([[{"fieldOrdinal":0,"values":[""]},{"fieldOrdinal":1,"values":[1]},{"fieldOrdinal":2,"values":["x"]}],)"
      R"([{"fieldOrdinal":0,"values":[""]},{"fieldOrdinal":1,"values":[2]},{"fieldOrdinal":2,"values":["x"]}],)"
      R"([{"fieldOrdinal":0,"values":[""]},{"fieldOrdinal":1,"values":[1]},{"fieldOrdinal":2,"values":["x"]}],)"
      R"([{"fieldOrdinal":0,"values":["a\u0000"]},{"fieldOrdinal":1,"values":[1]},{"fieldOrdinal":2,"values":["x"]}],)"
      R"([{"fieldOrdinal":0,"values":[""]},{"fieldOrdinal":1,"values":[1]},{"fieldOrdinal":2,"values":["x","y"]}]])";
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = decode(package_json(fields, data), options);
  CHECK(page.key_rejects == 5);
  REQUIRE(page.key_reject_rows.size() == 5);
  const auto& d = page.key_reject_rows;
  CHECK(d[0] == d[2]);
  CHECK(std::set<RowDigest>(d.begin(), d.end()).size() == 4);
}
