// The API key never leaks: every command, at trace level, with failing endpoints, a broken file
// and a TLS failure; all stdout/stderr, /metrics and a data-only dump of the database are searched
// for it. Plus: http:// needs allow_insecure_http; a world-readable key file draws a warning.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "reliability/rel_support.h"

using namespace ccetl::test;
using namespace ccetl::test::rel;

namespace {

// Also a fragment, so a partly masked key (a prefix shown, the rest cut) is caught too.
const std::string kKeyTail = kRelKey.substr(kRelKey.size() - 20);

const char* kJobs = R"(  - name: sec
    source: {scope: project_feedback, project: Rel, report: Sec}
    key: [ID]
  - name: missing
    source: {scope: project_feedback, project: Rel, report: NoSuchReport}
)";

const char* kDataset = R"({"path": "/projects/Rel/feedbackDataPackages/Sec", "resultsPerPage": 2,
  "fields": [{"name": "ID", "dataType": "string"}, {"name": "Score", "dataType": "integer"}],
  "rows": [["S-1", 1], ["S-2", {"fieldOrdinal": 1, "dataType": "integer", "computedValue": "lots", "values": ["lots"]}],
           ["S-3", 3]]})";

struct Transcript {
  std::vector<std::pair<std::string, std::string>> outputs;  // what -> text
  void add(const std::string& what, const ProcResult& r) { outputs.emplace_back(what, r.all()); }
  void add(const std::string& what, const std::string& text) { outputs.emplace_back(what, text); }
  void check_clean() const {
    for (const auto& [what, text] : outputs) {
      INFO(what << ":\n" << text.substr(0, 4000));
      CHECK(text.find(kRelKey) == std::string::npos);
      CHECK(text.find(kKeyTail) == std::string::npos);
    }
  }
};

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

ProcResult ccetl_with(const std::vector<std::string>& args, const std::string& config) {
  std::vector<std::string> argv{ccetl_binary(), "--log-level", "trace"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("-c");
  argv.push_back(config);
  ProcOptions options;
  options.timeout_ms = 30'000;
  return run_process(argv, options);
}

}  // namespace

TEST_CASE("the API key appears in no output, log, table or metric of any command", "[security]") {
  RelEnv env;
  env.put_dataset(kDataset);
  Transcript t;
  ProcOptions options;
  options.timeout_ms = 30'000;
  const std::string extra = "  max_attempts: 2\n";
  env.write_config(kJobs, extra);

  ProcResult ok = env.ccetl({"run", "--no-progress", "--job", "sec"}, options, "trace");
  INFO(ok.all());
  CHECK(ok.exit_code == 0);
  t.add("run (trace)", ok);
  for (int status : {401, 403, 500}) {
    env.put_faults(R"({"rules": [{"kind": "error", "status": )" + std::to_string(status) + R"(, "path": "Sec"}]})");
    ProcResult failed = env.ccetl({"run", "--no-progress", "--job", "sec"}, options, "trace");
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains(std::to_string(status)));
    t.add("run with " + std::to_string(status), failed);
  }
  env.clear_faults();
  ProcResult missing = env.ccetl({"run", "--no-progress", "--job", "missing"}, options, "trace");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("404"));
  t.add("run with 404", missing);
  ProcResult dry = env.ccetl({"run", "--no-progress", "--dry-run"}, options, "trace");
  CHECK(dry.exit_code == 0);
  t.add("run --dry-run", dry);
  ProcResult discover = env.ccetl({"discover", "--job", "sec"}, options, "trace");
  INFO(discover.all());
  CHECK(discover.exit_code == 0);
  CHECK_THAT(discover.out, Catch::Contains("Score"));
  t.add("discover", discover);
  ProcResult status = env.ccetl({"status"}, options, "trace");
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("sec"));
  t.add("status", status);
  t.add("status --json", env.ccetl({"status", "--json"}, options, "trace"));

  // A TLS failure: https:// against the plain-HTTP simulator.
  env.write_config(kJobs, extra, "https://127.0.0.1:" + std::to_string(env.sim().port()) + "/api/v1", false);
  ProcResult tls = env.ccetl({"run", "--no-progress", "--job", "sec"}, options, "trace");
  CHECK(tls.exit_code == 1);
  t.add("run with a TLS failure", tls);

  // Broken files that hold the key: the key as a list, a bad neighbour, an unknown key.
  auto broken = env.dir() / "broken.yaml";
  std::ofstream(broken) << "centercode:\n  base_url: http://127.0.0.1:1/api/v1\n  api_key: [" << kRelKey
                        << "]\n  rate_limit: lots\n  apikey: " << kRelKey << "\nwarehouse:\n  dsn: \"" << env.dsn()
                        << "\"\njobs:\n  - name: x\n    source: {scope: nowhere}\n";
  ProcResult invalid = ccetl_with({"validate"}, broken.string());
  CHECK(invalid.exit_code == 2);
  t.add("validate (broken)", invalid);
  t.add("run (broken)", ccetl_with({"run"}, broken.string()));
  auto syntax = env.dir() / "syntax.yaml";
  std::ofstream(syntax) << "centercode:\n  api_key: " << kRelKey << "\n   base_url: [unclosed\n";
  ProcResult bad_yaml = ccetl_with({"validate"}, syntax.string());
  CHECK(bad_yaml.exit_code == 2);
  t.add("validate (YAML syntax)", bad_yaml);

  // The daemon's /metrics and its trace log.
  int port = free_port();
  env.write_config(std::string(kJobs) + "    schedule: \"* * * * *\"\ndaemon:\n  listen: \"127.0.0.1:" +
                       std::to_string(port) + "\"\n",
                   extra);
  ProcResult daemon;
  std::thread runner([&] {
    ProcOptions d;
    d.kill_after_ms = 2500;
    daemon = env.ccetl({"daemon"}, d, "trace");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  HttpResult metrics = HttpTestClient("127.0.0.1", static_cast<uint16_t>(port)).get("/metrics");
  runner.join();
  CHECK(metrics.status == 200);
  t.add("/metrics", metrics.body);
  t.add("daemon (trace)", daemon);

  // Every table: a data-only dump of the whole database, and ccetl.* explicitly.
  ProcResult dump = run_process({"/usr/lib/postgresql/15/bin/pg_dump", "--data-only", "-d", env.dsn()});
  REQUIRE(dump.exit_code == 0);
  CHECK_THAT(dump.out, Catch::Contains("COPY ccetl.runs"));
  t.add("pg_dump --data-only", dump.out);
  CHECK(env.count("SELECT count(*) FROM ccetl.rejects") >= 1);
  for (const char* table : {"ccetl.runs", "ccetl.rejects", "ccetl.columns", "ccetl.push_log"})
    CHECK(env.count(std::string("SELECT count(*) FROM ") + table + " t WHERE t::text LIKE '%" + kKeyTail + "%'") == 0);
  t.check_clean();
}

TEST_CASE("http:// is refused unless allow_insecure_http is set", "[security]") {
  RelEnv env;
  env.write_config(kJobs, "", "", false);
  ProcResult validate = env.ccetl({"validate"});
  CHECK(validate.exit_code == 2);
  CHECK_THAT(validate.err, Catch::Contains("allow_insecure_http"));
  ProcResult run = env.run_job("sec");
  CHECK(run.exit_code == 2);
  CHECK(env.admin().get("/_sim/requests").body.find("Sec") == std::string::npos);  // nothing was sent
}

TEST_CASE("a secret from api_key_file is never echoed; a world-readable file draws a warning", "[security]") {
  RelEnv env;
  env.put_dataset(kDataset);
  auto key_file = env.dir() / "centercode.key";
  std::ofstream(key_file) << kRelKey << "\n";
  ::chmod(key_file.c_str(), 0644);
  auto config = env.dir() / "file.yaml";
  std::ofstream(config) << "centercode:\n  base_url: " << env.sim().base_url() << "/api/v1\n  api_key_file: "
                        << key_file.string() << "\n  allow_insecure_http: true\nwarehouse:\n  dsn: \"" << env.dsn()
                        << "\"\njobs:\n" << kJobs;
  ProcResult validate = ccetl_with({"validate"}, config.string());
  INFO(validate.all());
  CHECK(validate.exit_code == 0);
  CHECK_THAT(validate.err, Catch::Contains("readable by every user"));
  ProcResult run = ccetl_with({"run", "--no-progress", "--job", "sec"}, config.string());
  INFO(run.all());
  CHECK(run.exit_code == 0);
  ::chmod(key_file.c_str(), 0600);
  ProcResult quiet = ccetl_with({"validate"}, config.string());
  CHECK(quiet.err.find("readable by every user") == std::string::npos);
  Transcript t;
  t.add("validate", validate);
  t.add("run", run);
  t.add("validate 0600", quiet);
  t.check_clean();
}
