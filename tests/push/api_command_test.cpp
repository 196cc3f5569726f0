// `ccetl api`: ad-hoc get / post / upload against the simulator; the key is never printed.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "push/api_command.h"
#include "push_env.h"

using namespace ccetl;
using namespace ccetl::test;

namespace {

struct Captured {
  int code = 0;
  std::string out, err;
};

std::string slurp(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
  std::fclose(f);
  return s;
}

Captured call(const ApiArgs& args) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  Captured c;
  c.code = api_command(args, out, err);
  c.out = slurp(out);
  c.err = slurp(err);
  return c;
}

std::string write_config(const PushEnv& env) {
  std::string path = "/tmp/ccetl-api-test-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "centercode:\n  base_url: " << const_cast<PushEnv&>(env).sim().base_url()
                      << "/api/v1\n  api_key: " << kPushKey
                      << "\n  allow_insecure_http: true\nwarehouse:\n  dsn: host=/nonexistent dbname=x\njobs:\n"
                         "  - name: noop\n    push:\n      target: {scope: community_user, data_listener: Performance}\n"
                         "      sql: SELECT 1 AS k, 'x' AS find\n      key: [k]\n";
  return path;
}

}  // namespace

TEST_CASE("ccetl api: get with find, post JSON, upload a file, errors; never the key", "[push][api]") {
  PushEnv env;
  ApiArgs args;
  args.config_path = write_config(env);

  args.method = "get";
  args.target = "/projects/WidgetPro/feedbackRecordLookups/BugReports";
  args.find = "BUG-0001";
  Captured c = call(args);
  INFO(c.err);
  CHECK(c.code == 0);
  CHECK(c.out.rfind("HTTP 200 application/json", 0) == 0);
  CHECK(c.out.find("WiFi Not Connecting") != std::string::npos);

  args.method = "post";
  args.target = "/projects/WidgetPro/feedbackCommentListeners/BugComment";
  args.json = R"({"author":"admin@centercode.com","message":"hello"})";
  c = call(args);
  CHECK(c.code == 0);
  CHECK(c.out.rfind("HTTP 201", 0) == 0);
  auto posts = env.requests("POST");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].query.find("find=BUG-0001") != std::string::npos);
  CHECK(posts[0].body == args.json);

  // Create a feedback, then upload to its file element by absolute URL.
  args.target = "/projects/WidgetPro/feedback/Mobile";
  args.find.clear();
  args.json = R"({"submitter":"a@b.c","summary":"s","description":"d"})";
  c = call(args);
  CHECK(c.code == 0);
  std::string file = "/tmp/ccetl-api-test-" + std::to_string(::getpid()) + ".png";
  std::ofstream(file) << "PNGDATA";
  args.method = "upload";
  args.target = env.sim().base_url() + "/api/v1/projects/WidgetPro/feedbackTypes/Mobile/feedback/SUG-0023/fileElements/Screenshot";
  args.file = file;
  c = call(args);
  INFO(c.err);
  CHECK(c.code == 0);
  CHECK(c.out.find("\"fileName\":\"ccetl-api-test-") != std::string::npos);

  // Refusals: exit 1 with status and description.
  args.method = "post";
  args.target = "/userImports/Mobile";
  args.json = R"({"email":""})";
  c = call(args);
  CHECK(c.code == 1);
  CHECK(c.err.find("HTTP 400") != std::string::npos);
  CHECK(c.err.find("Email: An email address is required.") != std::string::npos);

  // --api-key-env: a wrong key is refused (403); a missing variable is a usage error.
  ::setenv("CCETL_TEST_OTHER_KEY", "wrong-key-123", 1);
  args.method = "get";
  args.target = "/userRecordLookups/UserScore";
  args.find = "jim@centercode.com";
  args.api_key_env = "CCETL_TEST_OTHER_KEY";
  c = call(args);
  CHECK(c.code == 1);
  CHECK(c.err.find("HTTP 403") != std::string::npos);
  CHECK(c.err.find("wrong-key-123") == std::string::npos);
  args.api_key_env = "CCETL_TEST_UNSET_VARIABLE";
  CHECK(call(args).code == 2);

  for (const auto& r : env.requests()) CHECK(r.query.find(kPushKey) == std::string::npos);
  std::remove(file.c_str());
  std::remove(args.config_path.c_str());
}

TEST_CASE("ccetl api: output never contains the key", "[push][api]") {
  PushEnv env;
  ApiArgs args;
  args.config_path = write_config(env);
  args.method = "get";
  args.target = "/nonexistent/path";
  Captured c = call(args);
  CHECK(c.code == 1);
  CHECK(c.err.find("HTTP 404") != std::string::npos);
  CHECK(c.out.find(kPushKey) == std::string::npos);
  CHECK(c.err.find(kPushKey) == std::string::npos);
  std::remove(args.config_path.c_str());
}
