// Queued operations over time, and multipart attachment uploads landing on disk.
#include <catch2/catch.hpp>

#include <openssl/sha.h>

#include <filesystem>
#include <random>
#include <thread>

#include "sim_test_util.h"

using namespace ccetl::test;
namespace dom = simdjson::dom;

namespace {

// The status endpoint's path and query from a 202 body.
std::string status_target(const std::string& body) {
  auto start = body.find("/api/v1/");
  auto end = body.find('"', start);
  return with_key(body.substr(start, end - start));
}

std::string status_of(const HttpTestClient& http, const std::string& target) {
  auto r = http.get(target);
  REQUIRE(r.status == 200);
  auto pos = r.body.find("\"status\":\"");
  return r.body.substr(pos + 10, r.body.find('"', pos + 10) - pos - 10);
}

std::string multipart(const std::string& boundary, const std::string& file_name, const std::string& content) {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
         "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
}

std::string sha256_hex(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  std::string out;
  char buf[3];
  for (unsigned char c : md) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

TEST_CASE("async operations move Pending -> Processing -> Succeeded or Failed", "[sim][async]") {
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/basic"}));
  HttpTestClient http(sim.host(), sim.port());

  auto r = http.request("POST", with_key("/api/v1/projects/Acme/userMacroListeners/Slow?find=jim"));
  REQUIRE(r.status == 202);
  std::string target = status_target(r.body);
  CHECK(status_of(http, target) == "Pending");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(status_of(http, target) == "Processing");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(status_of(http, target) == "Succeeded");

  // A listener configured to fail.
  r = http.request("POST", with_key("/api/v1/projects/Acme/feedbackMacroListeners/Broken?find=BUG-1"));
  target = status_target(r.body);
  CHECK(status_of(http, target) == "Processing");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK(status_of(http, target) == "Failed");

  // Imports: an email containing "fail" fails; others succeed (default 50 + 50 ms).
  r = http.post_json(with_key("/api/v1/userImports/Mobile"), R"({"email": "will.fail@example.com"})");
  std::string failing = status_target(r.body);
  r = http.post_json(with_key("/api/v1/projects/WidgetPro/userImports/Mobile"), R"({"email": "ok@example.com"})");
  std::string passing = status_target(r.body);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK(status_of(http, failing) == "Failed");
  CHECK(status_of(http, passing) == "Succeeded");

  // Unknown ids and ids of another listener are 404.
  CHECK(http.get(with_key("/api/v1/userImports/Mobile/status/00000000-0000-0000-0000-000000000000")).status == 404);
  std::string id = passing.substr(passing.find("/status/") + 8);
  CHECK(http.get(with_key("/api/v1/userImports/Mobile/status/" + id)).status == 404);
}

TEST_CASE("multipart uploads land on disk; single-attachment elements take one file", "[sim][upload]") {
  auto dir = std::filesystem::temp_directory_path() / ("sim-upload-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  SimProcess sim(sim_args({"--fixtures", source_dir() + "/tests/fixtures/sim/basic", "--upload-dir", dir.string()}));
  HttpTestClient http(sim.host(), sim.port());

  auto fb = http.post_json(with_key("/api/v1/projects/Acme/feedback/Crash"), R"({"summary": "boom"})");
  REQUIRE(fb.status == 201);
  CHECK(fb.body.find("\"key\":\"CRA-0001\"") != std::string::npos);
  std::string base = "/api/v1/projects/Acme/feedbackTypes/Crash/feedback/CRA-0001/fileElements/";

  // A body much larger than the server's 64 KiB read buffer, with bytes that look like
  // boundary starts ("\r\n--") scattered through it.
  std::string content;
  std::mt19937 rng(5);
  for (int i = 0; i < 300000; ++i) content.push_back(static_cast<char>(rng() & 0xff));
  for (size_t i = 1000; i + 10 < content.size(); i += 70001) content.replace(i, 6, "\r\n--Bx");
  std::string boundary = "Bxyz123";
  auto up = http.request("POST", with_key(base + "Shots"), multipart(boundary, "shot.png", content),
                         {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  REQUIRE(up.status == 201);
  dom::parser parser;
  dom::element doc = parser.parse(up.body);
  CHECK(std::string_view(doc["fileName"]) == "shot.png");
  CHECK(std::string_view(doc["fileElementKey"]) == "Shots");
  CHECK(std::string_view(doc["feedbackKey"]) == "CRA-0001");
  // Multiple files to a multi-attachment element.
  auto up2 = http.request("POST", with_key(base + "Shots"), multipart(boundary, "two.png", "second"),
                          {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  CHECK(up2.status == 201);

  // Single-attachment element: the second upload is refused.
  auto log1 = http.request("POST", with_key(base + "Log"), multipart("b1", "crash.log", "log text"),
                           {{"Content-Type", "multipart/form-data; boundary=b1"}});
  CHECK(log1.status == 201);
  auto log2 = http.request("POST", with_key(base + "Log"), multipart("b1", "crash2.log", "more"),
                           {{"Content-Type", "multipart/form-data; boundary=b1"}});
  CHECK(log2.status == 400);
  CHECK(minify(log2.body) == R"({"status":400,"description":"The file element Log accepts a single attachment."})");

  // Unknown feedback / element; missing file part.
  CHECK(http.request("POST", with_key("/api/v1/projects/Acme/feedbackTypes/Crash/feedback/CRA-0099/fileElements/Shots"),
                     multipart("b1", "x", "y"), {{"Content-Type", "multipart/form-data; boundary=b1"}})
            .status == 404);
  CHECK(http.request("POST", with_key(base + "Nope"), multipart("b1", "x", "y"),
                     {{"Content-Type", "multipart/form-data; boundary=b1"}})
            .status == 404);
  auto nofile = http.request("POST", with_key(base + "Shots"), "--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b1--\r\n",
                             {{"Content-Type", "multipart/form-data; boundary=b1"}});
  CHECK(nofile.status == 400);
  CHECK(nofile.body.find("\"name\":\"File\"") != std::string::npos);

  // The bytes on disk and the request log's record of them.
  auto log = http.get("/_sim/requests");
  dom::array entries = parser.parse(log.body);
  dom::element first_upload;
  for (dom::element e : entries) {
    if (int64_t(e["status"]) == 201 && std::string_view(e["path"]).find("fileElements/Shots") != std::string_view::npos) {
      first_upload = e;
      break;
    }
  }
  dom::element file = first_upload["files"].at(0);
  CHECK(std::string_view(file["fileName"]) == "shot.png");
  CHECK(uint64_t(file["size"]) == content.size());
  CHECK(std::string_view(file["sha256"]) == sha256_hex(content));
  std::string stored{std::string_view(file["storedPath"])};
  CHECK(stored.rfind(dir.string(), 0) == 0);
  CHECK(read_text(stored) == content);
  // Refused uploads leave no file behind: shot, two, crash.log.
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 3);
  std::filesystem::remove_all(dir);
}

TEST_CASE("uploads over the size limit are refused and leave nothing on disk", "[sim][upload]") {
  auto dir = std::filesystem::temp_directory_path() / ("sim-upload-limit-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  SimProcess sim(sim_args({"--upload-dir", dir.string(), "--max-upload-bytes", "100000"}));
  HttpTestClient http(sim.host(), sim.port());
  auto fb = http.post_json(with_key("/api/v1/projects/WidgetPro/feedback/Mobile"), R"({"summary": "big"})");
  REQUIRE(fb.status == 201);
  std::string target = with_key("/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/Screenshot");
  auto big = http.request("POST", target, multipart("bb", "big.bin", std::string(300000, 'x')),
                          {{"Content-Type", "multipart/form-data; boundary=bb"}});
  CHECK(big.status == 400);
  CHECK(big.body.find("size limit") != std::string::npos);
  auto small = http.request("POST", target, multipart("bb", "small.bin", std::string(1000, 'y')),
                            {{"Content-Type", "multipart/form-data; boundary=bb"}});
  CHECK(small.status == 201);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);
  std::filesystem::remove_all(dir);
}
