// text/csv pages.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "package/decoder.h"
#include "test_util.h"

using namespace ccetl;
using ccetl::test::rows_of;

namespace {
DecodedPage csv(std::string_view body, const DecodeOptions& options = {}) {
  Decoder decoder;
  DecodedPage page;
  decoder.decode_csv(body, options, 1, page);
  return page;
}
}  // namespace

TEST_CASE("csv basics", "[package][csv]") {
  DecodedPage page = csv("\xEF\xBB\xBFID,Summary,Score\r\nBUG-1,WiFi,11\r\nBUG-2,,3\r\n");
  REQUIRE(page.fields.size() == 3);
  CHECK(page.fields[0].name == "ID");  // BOM stripped
  CHECK(page.fields[2].type == DataType::String);
  CHECK(page.copy_text == "1\tBUG-1\tWiFi\t11\t\\N\n2\tBUG-2\t\\N\t3\t\\N\n");
  CHECK(page.rows_read == 2);
  CHECK_FALSE(page.paging.present);
}

TEST_CASE("csv quoting", "[package][csv]") {
  DecodedPage page = csv("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\\\"\n\"\",plain,\"\"\n");
  auto rows = rows_of(page);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][1] == "x, y");
  CHECK(rows[0][2] == "say \"hi\"");
  CHECK(rows[0][3] == "line1\\nline2\\\\");
  CHECK(rows[1][1] == "");  // quoted empty: the empty string
  CHECK(rows[1][3] == "");
}

TEST_CASE("csv end of data, last line without newline, blank lines", "[package][csv]") {
  DecodedPage page = csv("a,b\r\n");
  CHECK(page.fields.size() == 2);
  CHECK(page.rows_read == 0);
  CHECK(page.copy_text.empty());
  page = csv("a,b\n1,2\n\n3,4");
  CHECK(page.copy_text == "1\t1\t2\t\\N\n2\t3\t4\t\\N\n");
}

TEST_CASE("csv keys, NUL and prefix", "[package][csv]") {
  DecodeOptions options;
  options.key_fields = {"b"};
  options.row_prefix = "P\t";
  static const char kBody[] = "a,b\n1,\n2,x\0y\n3,z\n";
  DecodedPage page = csv(std::string_view(kBody, sizeof kBody - 1), options);
  CHECK(page.copy_text == "3\tP\t3\tz\t\\N\n");
  REQUIRE(page.rejects.size() == 2);  // one per rejected row
  CHECK(page.rejects[0].reason == "missing key field 'b'");
  CHECK(page.rejects[1].reason == "missing key field 'b': contains NUL byte");
  CHECK(page.rejects[1].raw_value == "x\\0y");
  CHECK(page.rejects[1].row_seq == 2);
}

TEST_CASE("csv errors", "[package][csv]") {
  CHECK_THROWS_WITH(csv("a,b\n1,2,3\n"), "line 2: 3 cells but the header has 2");
  CHECK_THROWS_WITH(csv("a,b\n\"1\n\n\",2\n4\n"), "line 5: 1 cells but the header has 2");
  CHECK_THROWS_WITH(csv("a,b\n\"open,2\n"), "line 2: unterminated quoted field");
  CHECK_THROWS_WITH(csv("a,b\n\"x\"y,2\n"), "line 2: text after the closing quote of a field");
  CHECK_THROWS_WITH(csv("a,b\nx\"y,2\n"), "line 2: quote inside an unquoted field");
  CHECK_THROWS_WITH(csv(""), "empty CSV body (no header line)");
  CHECK_THROWS_WITH(csv("a,b\n\xff,1\n"), "CSV body is not valid UTF-8");
  CHECK_THROWS_WITH(csv("a\n1\n", DecodeOptions{{"z"}, ""}), "key field 'z' is not among the package's fields: a");
  Decoder decoder;
  DecodedPage page;
  decoder.decode_csv("a\n1\n", {}, 1, page);
  CHECK_THROWS_AS(decoder.decode_csv("a\n1,2\n", {}, 1, page), Error);
  CHECK(page.copy_text.empty());
  CHECK(page.fields.empty());
}

TEST_CASE("csv: a quoted empty key cell is rejected, not loaded as a key", "[package][csv][keys]") {
  DecodeOptions options;
  options.key_fields = {"ID"};
  DecodedPage page = csv("ID,v\n\"\",a\n\"\",b\nX,c\n,d\n", options);
  CHECK(page.copy_text == "3\tX\tc\t\\N\n");
  CHECK(page.rows_read == 4);
  CHECK(page.key_rejects == 3);
  REQUIRE(page.rejects.size() == 3);  // one per source row
  CHECK(page.rejects[0].reason == "empty key field 'ID'");
  CHECK(page.rejects[0].field == "ID");
  CHECK(page.rejects[1].row_seq == 2);
  CHECK(page.rejects[2].reason == "missing key field 'ID'");
}
