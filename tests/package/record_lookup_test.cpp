// Record lookups: the four reference examples and the `name`/`field` spellings.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "package/decoder.h"
#include "test_util.h"

using namespace ccetl;
using ccetl::test::read_fixture;
using ccetl::test::rows_of;

namespace {
DecodedPage lookup(std::string body, const DecodeOptions& options = {}) {
  Decoder decoder;
  DecodedPage page;
  decoder.decode_record_lookup(body, options, 7, page);
  return page;
}
}  // namespace

TEST_CASE("community user lookup", "[package][lookup]") {
  DecodedPage page = lookup(read_fixture("community_user_lookup.json"));
  CHECK_FALSE(page.paging.present);
  REQUIRE(page.fields.size() == 2);
  CHECK(page.fields[1].name == "Community Score Total");
  CHECK(page.fields[1].type == DataType::Integer);
  CHECK(page.copy_text == "7\tJim C.\t-825000\t\\N\n");
}

TEST_CASE("community project and project user lookups", "[package][lookup]") {
  auto rows = rows_of(lookup(read_fixture("community_project_lookup.json")));
  CHECK(rows == std::vector<std::vector<std::string>>{{"7", "Widget XL Beta", "28", "28", "18", "52", "\\N"}});
  DecodedPage page = lookup(read_fixture("project_user_lookup.json"));
  CHECK(page.fields.size() == 8);
  rows = rows_of(page);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][7] == "\\N");
  CHECK(rows[0][8] == "\\N");
}

TEST_CASE("project feedback lookup with text and a date", "[package][lookup]") {
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = lookup(read_fixture("project_feedback_lookup.json"), options);
  REQUIRE(page.fields.size() == 13);
  CHECK(page.fields[11].type == DataType::Date);
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][1] == "BUG-0001");
  CHECK(rows[0][4].find("at all.\\r\\n\\r\\n1. Install") != std::string::npos);
  CHECK(rows[0][6] == "\\N");
  CHECK(rows[0][12] == "2015-02-08 19:37:00");
  CHECK(page.rejects.empty());
}

TEST_CASE("lookup elements named with `name` (schema) or `field` (examples), keys in any order",
          "[package][lookup]") {
  std::string body = R"({"data":[
    {"name":"A","dataType":"integer","values":[1],"formId":"F","questionId":"Q"},
    {"values":["x","y"],"computedValue":"x & y","dataType":"string","field":"B"},
    {"field":"C","dataType":"boolean","values":["yes"]}]})";
  DecodedPage page = lookup(body);
  REQUIRE(page.fields.size() == 3);
  CHECK(page.fields[0].name == "A");
  CHECK(page.fields[0].form_id == "F");
  CHECK(page.fields[0].question_id == "Q");
  CHECK(page.fields[1].name == "B");
  CHECK(page.copy_text == "7\t1\tx & y\tt\t{\"B\":[\"x\",\"y\"]}\n");
}

TEST_CASE("lookup errors and rejects", "[package][lookup]") {
  CHECK_THROWS_WITH(lookup(R"({"data":[{"dataType":"string","values":[]}]})"),
                    "`data[0]` has no `name` or `field`");
  CHECK_THROWS_WITH(lookup(R"({"data":[{"name":"A","dataType":"money","values":[]}]})"),
                    "`data[0]` ('A') has unknown dataType 'money'");
  CHECK_THROWS_WITH(lookup(R"({"data":{}})"), "`data` is not an array");
  CHECK_THROWS_WITH(lookup(R"({"fields":[]})"), "missing `data`");
  DecodeOptions options;
  options.key_fields = {"A"};
  DecodedPage page = lookup(R"({"data":[{"name":"A","dataType":"integer","values":["x"]}]})", options);
  CHECK(page.copy_text.empty());
  CHECK(page.rows_read == 1);
  REQUIRE(page.rejects.size() == 1);  // one per row: the key's own reject names the key
  CHECK(page.rejects[0].reason == "missing key field 'A': not an integer");
  CHECK(page.rejects[0].raw_value == "\"x\"");
}
