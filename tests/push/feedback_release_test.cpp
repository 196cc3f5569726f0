// Feedback with attachments (files and bytea, single- and multi-attachment elements) and
// releases with links and FTP bucket files.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

std::string write_file(const std::string& name, const std::string& content) {
  auto dir = std::filesystem::temp_directory_path() / ("ccetl-push-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

const std::string kFeedbackColumns =
    "'jim@centercode.com' AS submitter, 'Lighting presets' AS summary, 'More presets please' AS description, "
    "23795 AS topic";

}  // namespace

TEST_CASE("feedback with one file attachment: created, then uploaded to the returned file element",
          "[push][feedback]") {
  PushEnv env;
  std::string shot = write_file("screenshot.png", std::string(3000, 'x'));
  auto job = env.job("fb_one", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
                     "SELECT 1 AS k, " + kFeedbackColumns + ", '" + shot + "' AS shot");
  job.push->attachments = {{"Screenshot", "shot"}};
  JobOutcome out = env.run(job);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  CHECK(out.counts.inserted == 1);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].path == "/api/v1/projects/WidgetPro/feedback/Mobile");
  CHECK(posts[0].body ==
        R"({"description":"More presets please","k":1,"submitter":"jim@centercode.com","summary":"Lighting presets","topic":23795})");
  CHECK(posts[1].path == "/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/Screenshot");
  CHECK(posts[1].status == 201);
  REQUIRE(posts[1].files.size() == 1);
  CHECK(posts[1].files[0] == std::make_pair(std::string("screenshot.png"), uint64_t(3000)));
  auto ledger = env.ledger("fb_one");
  REQUIRE(ledger.size() == 1);
  CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
  CHECK(std::string(ledger[0][5].c_str()) == "SUG-0023");
}

TEST_CASE("feedback with several attachments: file arrays, bytea, and a single-attachment element",
          "[push][feedback]") {
  PushEnv env;
  std::string a = write_file("a.png", "AAAA");
  std::string b = write_file("b.png", "BBBBBB");
  env.exec("CREATE TABLE logs (k int, blobs bytea[])");
  env.exec("INSERT INTO logs VALUES (1, ARRAY['\\x0001ff'::bytea, '\\x02'::bytea])");
  auto job = env.job("fb_many", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
                     "SELECT k, " + kFeedbackColumns + ", ARRAY['" + a + "','" + b +
                         "'] AS shots, blobs FROM logs");
  job.push->attachments = {{"Screenshot", "shots"}, {"CrashLog", "blobs"}};
  JobOutcome out = env.run(job);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  CHECK(out.counts.inserted == 1);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 4);  // feedback, 2 screenshots, 1 crash log (single-attachment element)
  std::string base = "/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/";
  // Elements are uploaded in key order: CrashLog, then Screenshot.
  CHECK(posts[1].path == base + "CrashLog");
  CHECK(posts[1].files.at(0) == std::make_pair(std::string("blobs-1.bin"), uint64_t(3)));
  CHECK(posts[2].path == base + "Screenshot");
  CHECK(posts[2].files.at(0) == std::make_pair(std::string("a.png"), uint64_t(4)));
  CHECK(posts[3].files.at(0) == std::make_pair(std::string("b.png"), uint64_t(6)));
  bool warned = false;
  for (const auto& m : out.messages) warned |= m.find("accepts a single attachment") != std::string::npos;
  CHECK(warned);
}

TEST_CASE("feedback with a single bytea attachment", "[push][feedback]") {
  PushEnv env;
  auto job = env.job("fb_bytea", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
                     "SELECT 1 AS k, " + kFeedbackColumns + ", convert_to('crash trace', 'UTF8') AS log");
  job.push->attachments = {{"CrashLog", "log"}};
  JobOutcome out = env.run(job);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 2);
  CHECK(posts[1].files.at(0) == std::make_pair(std::string("log.bin"), uint64_t(11)));
}

// A bytea column that is also the row's key and serves two file elements: the key keeps
// PostgreSQL's text (\x...), as the ledger has always recorded it, and both elements get the
// bytes. Catches the cursor decoding (and the first element taking) a cell that others need.
TEST_CASE("a bytea attachment column that is also the key and serves two elements keeps its text for the key",
          "[push][feedback][bytea]") {
  PushEnv env;
  auto job = env.job("fb_bytea_key", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
                     "SELECT " + kFeedbackColumns + ", convert_to('trace', 'UTF8') AS log", {"log"});
  job.push->attachments = {{"CrashLog", "log"}, {"Screenshot", "log"}};
  JobOutcome out = env.run(job);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  auto ledger = env.ledger(job.name);
  REQUIRE(ledger.size() == 1);
  CHECK(std::string(ledger[0][0].c_str()) == "[\"\\\\x7472616365\"]");
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 3);
  CHECK(posts[1].files.at(0).second == 5);
  CHECK(posts[2].files.at(0).second == 5);
}

TEST_CASE("releases post every field, links and FTP bucket files embedded as JSON", "[push][release]") {
  PushEnv env;
  auto job = env.job(
      "rel", PushTargetKind::Release, Scope::ProjectUser, "WidgetPro", "Firmware",
      "SELECT '0.1.1' AS k, 'Software v0.1.1' AS title, 'New features' AS subtitle, "
      "'<p>Install.</p>' AS body, '2020-01-01T00:00:00Z' AS \"startDate\", '2050-09-30T12:00:00-0700' AS \"endDate\", "
      "false AS \"isClickThroughNotice\", "
      "'[{\"fileName\":\"Firmware_0.1.1.exe\"},{\"fileName\":\"Builds/Installer_0.1.1.exe\"}]'::jsonb AS "
      "\"ftpBucketFiles\", "
      "json_build_array(json_build_object('label','Software v0.1.1','url','https://www.example.com','size',2,"
      "'sizeUnit','MB','openInNewWindow',false,'includeInDownloadBlock',true,'logDownloadAttempts',true)) AS links");
  job.push->body = {{"releaseValue", "k"}};
  JobOutcome out = env.run(job);
  INFO(out.summary());
  REQUIRE(out.succeeded);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].path == "/api/v1/projects/WidgetPro/releaseTypes/Firmware");
  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(posts[0].body);
  CHECK(std::string_view(body["title"]) == "Software v0.1.1");
  CHECK(std::string_view(body["releaseValue"]) == "0.1.1");
  CHECK(bool(body["isClickThroughNotice"]) == false);
  CHECK(std::string_view(body["ftpBucketFiles"].at(1)["fileName"]) == "Builds/Installer_0.1.1.exe");
  simdjson::dom::element link = body["links"].at(0);
  CHECK(int64_t(link["size"]) == 2);
  CHECK(bool(link["includeInDownloadBlock"]) == true);
  CHECK(std::string_view(link["url"]) == "https://www.example.com");
  CHECK(body["k"].error() == simdjson::NO_SUCH_FIELD);  // mapped to releaseValue
  auto ledger = env.ledger("rel");
  REQUIRE(ledger.size() == 1);
  CHECK(std::string(ledger[0][1].c_str()) == "succeeded");
  CHECK(std::string(ledger[0][6].c_str()) == "Processing");
}

// An upload refused (4xx) was not applied: the row stays `sent` (the feedback exists) and the
// next run uploads that file only. An upload answered 5xx after the server stored it may have
// been applied: it is `unknown`, the row fails the run and is not uploaded again. Neither ever
// creates a second feedback. Catches an upload failure that resends the create, or that
// retries a 5xx'd upload.
TEST_CASE("a refused upload is retried by the next run; an upload answered 5xx is unknown; one feedback",
          "[push][feedback]") {
  PushEnv env;
  std::string shot = write_file("refused.png", std::string(1000, 'r'));
  std::string log = write_file("lost.log", std::string(1000, 'l'));
  auto job = env.job("fb_fail", PushTargetKind::Feedback, Scope::ProjectFeedback, "WidgetPro", "Mobile",
                     "SELECT 1 AS k, " + kFeedbackColumns + ", '" + shot + "' AS shot, '" + log + "' AS log");
  job.push->attachments = {{"Screenshot", "shot"}, {"CrashLog", "log"}};
  env.put_faults(R"([{"kind": "error", "status": 400, "times": 1, "path": "fileElements/Screenshot"},
                     {"kind": "error", "status": 502, "after": true, "times": 1, "path": "fileElements/CrashLog"}])");
  JobOutcome out = env.run(job);
  INFO(out.summary());
  CHECK_FALSE(out.succeeded);
  auto uploads = [&](const std::string& element) {
    int n = 0;
    for (const auto& p : env.requests("POST")) n += p.path.find("fileElements/" + element) != std::string::npos;
    return n;
  };
  auto creates = [&] {
    int n = 0;
    for (const auto& p : env.requests("POST")) n += p.path == "/api/v1/projects/WidgetPro/feedback/Mobile";
    return n;
  };
  CHECK(uploads("Screenshot") == 1);  // the faults fired once each
  CHECK(uploads("CrashLog") == 1);
  auto files = env.query("SELECT element_key || ':' || state FROM ccetl.push_files WHERE job = 'fb_fail' "
                         "ORDER BY element_key");
  REQUIRE(files.size() == 2);
  CHECK(std::string(files[0][0].c_str()) == "CrashLog:unknown");
  CHECK(std::string(files[1][0].c_str()) == "Screenshot:failed");

  out = env.run(job);
  INFO(out.summary());
  CHECK_FALSE(out.succeeded);  // the unknown upload still fails the run until a person resolves it
  CHECK(uploads("Screenshot") == 2);  // the refused upload went again and arrived
  CHECK(uploads("CrashLog") == 1);    // the one that may have arrived did not
  CHECK(creates() == 1);
  files = env.query("SELECT element_key || ':' || state FROM ccetl.push_files WHERE job = 'fb_fail' "
                    "ORDER BY element_key");
  CHECK(std::string(files[1][0].c_str()) == "Screenshot:uploaded");
}
