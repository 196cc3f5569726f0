// Payload building without network or database: typed JSON cells, body mapping, row keys,
// attachments (bytea, arrays, files), payload hashes and the ledger's row decisions.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "push/attachments.h"
#include "push/json_text.h"
#include "push/payload.h"
#include "push/row_decision.h"

using namespace ccetl;
using namespace ccetl::push;

namespace {

TypedResult result_of(std::vector<TypedColumn> columns, std::vector<std::vector<std::optional<std::string>>> rows) {
  TypedResult r;
  r.columns = std::move(columns);
  r.rows = std::move(rows);
  return r;
}

PushSpec spec_of(PushTargetKind kind, std::vector<std::string> key = {"k"}) {
  PushSpec s;
  s.kind = kind;
  s.key = std::move(key);
  return s;
}

}  // namespace

TEST_CASE("cells keep their SQL type in JSON", "[push][payload]") {
  CHECK(json_cell(std::nullopt, oid::kInt4) == "null");
  CHECK(json_cell("t", oid::kBool) == "true");
  CHECK(json_cell("f", oid::kBool) == "false");
  CHECK(json_cell("-42", oid::kInt8) == "-42");
  CHECK(json_cell("1.50", oid::kNumeric) == "1.50");
  CHECK(json_cell("NaN", oid::kFloat8) == "\"NaN\"");
  CHECK(json_cell("[{\"a\": 1}]", oid::kJsonb) == "[{\"a\": 1}]");
  CHECK(json_cell("12", 25 /* text */) == "\"12\"");
  CHECK(json_cell("a\"b\\c\n\x01", 25) == "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST_CASE("body: columns by name, body mapping renames and nests, find and attachments excluded",
          "[push][payload]") {
  auto result = result_of({{"k", 25}, {"find", 25}, {"title", 25}, {"size", 23}, {"unit", 25}, {"shot", 25}},
                          {{"1", "BUG-1", "T", "2", "MB", std::nullopt}});
  PushSpec spec = spec_of(PushTargetKind::DataListener);
  spec.body = {{"link.size", "size"}, {"link.sizeUnit", "unit"}};
  spec.attachments = {{"Screenshot", "shot"}};
  check_columns(spec, result);
  PushRow row = build_row(spec, result, 0);
  CHECK(row.error.empty());
  CHECK(row.find == "BUG-1");
  CHECK(row.row_key == "[\"1\"]");
  CHECK(row.body == R"({"k":"1","link":{"size":2,"sizeUnit":"MB"},"title":"T"})");
  CHECK(row.attachments.empty());

  // A path that is both a value and an object is a configuration error of the row.
  spec.body = {{"title", "size"}, {"title.x", "unit"}};
  CHECK_FALSE(build_row(spec, result, 0).error.empty());
}

TEST_CASE("macro listeners send no body; listeners need a find column", "[push][payload]") {
  auto result = result_of({{"k", 25}, {"find", 25}, {"extra", 25}}, {{"1", "jim", "x"}, {"2", "", "y"}});
  PushSpec spec = spec_of(PushTargetKind::MacroListener);
  PushRow row = build_row(spec, result, 0);
  CHECK(row.body.empty());
  CHECK(row.error.empty());
  CHECK(build_row(spec, result, 1).error == "the find column is empty");

  auto no_find = result_of({{"k", 25}}, {{"1"}});
  CHECK_THROWS_AS(check_columns(spec, no_find), Error);
  spec.key = {"missing"};
  CHECK_THROWS_WITH(check_columns(spec, result), Catch::Contains("key column 'missing'"));
}

TEST_CASE("required body keys per target are checked before sending", "[push][payload]") {
  auto result = result_of({{"k", 25}, {"find", 25}, {"author", 25}}, {{"1", "jim", "me"}});
  PushRow row = build_row(spec_of(PushTargetKind::CommentListener), result, 0);
  CHECK(row.error.find("'message'") != std::string::npos);
  auto fb = result_of({{"k", 25}, {"submitter", 25}, {"summary", 25}, {"description", 25}}, {{"1", "a", "b", "c"}});
  CHECK(build_row(spec_of(PushTargetKind::Feedback), fb, 0).error.empty());
}

TEST_CASE("row keys are unambiguous JSON arrays; no key means the payload identifies the row",
          "[push][payload]") {
  auto result = result_of({{"a", 25}, {"b", 25}, {"find", 25}},
                          {{"x,y", "z", "f"}, {"x", "y,z", "f"}, {std::nullopt, "null", "f"}});
  PushSpec spec = spec_of(PushTargetKind::DataListener, {"a", "b"});
  CHECK(build_row(spec, result, 0).row_key == R"(["x,y","z"])");
  CHECK(build_row(spec, result, 1).row_key == R"(["x","y,z"])");
  CHECK(build_row(spec, result, 2).row_key == R"([null,"null"])");
  spec.key.clear();
  CHECK(build_row(spec, result, 0).row_key.rfind("payload:", 0) == 0);
}

TEST_CASE("bytea hex and array literals decode", "[push][attachments]") {
  CHECK(decode_bytea_hex("\\x48690a00") == std::string("Hi\n\0", 4));
  CHECK(decode_bytea_hex("\\x").empty());
  CHECK_THROWS_AS(decode_bytea_hex("48"), Error);
  CHECK_THROWS_AS(decode_bytea_hex("\\x4g"), Error);
  CHECK(parse_pg_array("{}").empty());
  CHECK(parse_pg_array("{a,\"b c\",NULL,\"NULL\",\"q\\\"x\"}") ==
        std::vector<std::string>{"a", "b c", "NULL", "q\"x"});
  std::optional<std::string> array = std::string("{\"\\\\x4142\",\"\\\\x43\"}");
  auto files = attachments_from_cell(TypedColumn{"blob", oid::kByteaArray}, array);
  REQUIRE(files.size() == 2);
  CHECK(files[0].file_name == "blob-1.bin");
  CHECK(files[0].content == "AB");
  CHECK(files[1].content == "C");
  // A cell the cursor decoded already: its bytes move into the attachment, not copied or decoded.
  TypedColumn decoded{"log", oid::kBytea};
  decoded.decoded_bytes = true;
  std::optional<std::string> bytes = std::string("\\x41", 4);  // raw bytes that look like hex text
  auto moved = attachments_from_cell(decoded, bytes);
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].content == std::string("\\x41", 4));
  CHECK(moved[0].file_name == "log.bin");
  CHECK_FALSE(bytes.has_value());
}

TEST_CASE("file attachments are read from disk; the payload hash covers their content", "[push][attachments]") {
  std::string path = "/tmp/ccetl-push-payload-test-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "first";
  auto result = result_of({{"k", 25}, {"submitter", 25}, {"summary", 25}, {"description", 25}, {"file", 25}},
                          {{"1", "a", "b", "c", path}, {"2", "a", "b", "c", "/nonexistent/x.png"}});
  PushSpec spec = spec_of(PushTargetKind::Feedback);
  spec.attachments = {{"Screenshot", "file"}};
  PushRow first = build_row(spec, result, 0);
  REQUIRE(first.attachments.size() == 1);
  CHECK(first.attachments[0].files[0].file_name == path.substr(5));
  CHECK(first.attachments[0].files[0].content.empty());  // never held in memory: streamed when uploaded
  CHECK(first.attachments[0].files[0].path == path);
  CHECK(first.attachments[0].files[0].size == 5);
  CHECK(first.body.find("file") == std::string::npos);
  std::ofstream(path) << "second";
  PushRow changed = build_row(spec, result, 0);
  CHECK(changed.payload_hash != first.payload_hash);
  CHECK(build_row(spec, result, 0).payload_hash == changed.payload_hash);
  CHECK(build_row(spec, result, 1).error.find("cannot read file") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("ledger decisions per state and mode", "[push][ledger]") {
  PushRow row;
  row.row_key = "[\"1\"]";
  row.payload_hash = "h1";
  PushSpec release = spec_of(PushTargetKind::Release);
  PushSpec data = spec_of(PushTargetKind::DataListener);
  auto entry = [](std::string state, std::string hash = "h1") {
    LedgerEntry e;
    e.state = std::move(state);
    e.payload_hash = std::move(hash);
    return e;
  };
  CHECK(decide_row(release, nullptr, row).action == RowAction::Send);
  auto e = entry("succeeded");
  release.mode = PushMode::Once;
  CHECK(decide_row(release, &e, row).action == RowAction::Skip);
  auto changed = entry("succeeded", "h0");
  CHECK(decide_row(release, &changed, row).action == RowAction::Skip);
  release.mode = PushMode::OnChange;
  CHECK(decide_row(release, &e, row).action == RowAction::Skip);
  CHECK(decide_row(release, &changed, row).action == RowAction::Send);
  auto failed = entry("failed");
  CHECK(decide_row(release, &failed, row).action == RowAction::Send);
  auto intent = entry("intent");
  CHECK(decide_row(release, &intent, row).action == RowAction::MarkUnknown);
  CHECK(decide_row(data, &intent, row).action == RowAction::Send);
  auto unknown = entry("unknown");
  CHECK(decide_row(release, &unknown, row).action == RowAction::Skip);
  CHECK(decide_row(release, &unknown, row).warn);
  CHECK(decide_row(data, &unknown, row).action == RowAction::Send);
  auto queued = entry("sent");
  queued.status_endpoint = "http://x/status/1";
  CHECK(decide_row(spec_of(PushTargetKind::UserImport), &queued, row).action == RowAction::Resume);
  // A created feedback whose uploads are outstanding: resume them, never create it again.
  auto created = entry("sent");
  created.created_key = "SUG-1";
  PushSpec feedback = spec_of(PushTargetKind::Feedback);
  feedback.mode = PushMode::OnChange;
  CHECK(decide_row(feedback, &created, row).action == RowAction::ResumeUploads);
  // Unknown because an upload was cut off: the files never started still go up; a feedback
  // whose create itself is unknown (no key recorded) is never touched.
  auto upload_unknown = entry("unknown");
  upload_unknown.created_key = "SUG-1";
  CHECK(decide_row(feedback, &upload_unknown, row).action == RowAction::ResumeUploads);
  CHECK(decide_row(feedback, &unknown, row).action == RowAction::Skip);
}
