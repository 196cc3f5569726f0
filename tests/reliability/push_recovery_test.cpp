// A person recovers a push job with `ccetl push list` / `ccetl push retry`, never with SQL:
// on a database where no push has run yet, and for a created feedback whose attachment can never
// be uploaded (it would otherwise fail every run for ever).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "reliability/rel_support.h"
#include "warehouse/warehouse.h"

using namespace ccetl::test::rel;

namespace {

int64_t occurrences(RelEnv& env, const std::string& needle) {
  const std::string log = env.admin().get("/_sim/requests").body;
  int64_t n = 0;
  for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++n;
  return n;
}

const char* kComments =
    "  - name: comments\n    push:\n"
    "      target: {scope: project_feedback, project: WidgetPro, comment_listener: BugComment}\n"
    "      sql: \"SELECT 'BUG-0001' AS find, 'a@b.c' AS author, 'msg' AS message\"\n      key: [find]\n";

}  // namespace

// Catches a raw SQL error ("relation ccetl.push_log does not exist", exit 3) from the recovery
// commands before any push run created the catalog.
TEST_CASE("push list and push retry before any push run: nothing to list or mark, no SQL error",
          "[push][recovery]") {
  RelEnv env;
  env.write_config(kComments);
  REQUIRE(env.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'ccetl'") == 0);
  ProcResult list = env.ccetl({"push", "list", "--job", "comments"});
  INFO(list.all());
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("0 row(s)") != std::string::npos);
  ProcResult retry = env.ccetl({"push", "retry", "--job", "comments"});
  INFO(retry.all());
  CHECK(retry.exit_code == 0);
  CHECK(retry.out.find("0 row(s) of job 'comments' marked") != std::string::npos);
  ProcResult named = env.ccetl({"push", "retry", "--job", "comments", "--key", "BUG-0001"});
  INFO(named.all());
  CHECK(named.exit_code == 2);
  CHECK(named.err.find("no such row in the ledger") != std::string::npos);
  CHECK(list.all().find("does not exist") == std::string::npos);
}

// A created feedback whose file element does not exist: the upload fails on every run (the row
// stays `sent`, the run fails). `push retry --applied --key` gives the file up: the row is
// `succeeded`, the next run passes, the feedback is never created again, and the file's record
// says why it was not uploaded. A named key left as is exits 2.
TEST_CASE("push retry --applied --key settles a created feedback whose attachment can never be uploaded",
          "[push][recovery][feedback]") {
  RelEnv env;
  const auto file = env.dir() / "notes.txt";
  std::ofstream(file) << "notes";
  env.write_config("  - name: fb\n    push:\n      target: {scope: project, project: WidgetPro, feedback: Mobile}\n"
                   "      sql: \"SELECT 1 AS k, 'jim@centercode.com' AS submitter, 'Presets' AS summary, 'More' AS "
                   "description, '" + file.string() + "' AS notes\"\n"
                   "      key: [k]\n      attachments: {NoSuchElement: notes}\n");
  const std::string create = "\"method\":\"POST\",\"path\":\"/api/v1/projects/WidgetPro/feedback/Mobile\"";
  for (int run = 1; run <= 2; ++run) {
    ProcResult r = env.run_job("fb");
    INFO("run " << run << ": " << r.all());
    CHECK(r.exit_code == 1);
    CHECK(r.all().find("no file element 'NoSuchElement'") != std::string::npos);
    CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "sent");
  }
  CHECK(occurrences(env, create) == 1);

  ProcResult applied = env.ccetl({"push", "retry", "--job", "fb", "--applied", "--key", "1"});
  INFO(applied.all());
  CHECK(applied.exit_code == 0);
  CHECK(applied.out.find("1 attachment(s) given up") != std::string::npos);
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'fb'") == "succeeded");
  CHECK(env.scalar("SELECT state || ': ' || error FROM ccetl.push_files WHERE job = 'fb'")
            .rfind("failed: not uploaded: the row was marked succeeded", 0) == 0);

  ProcResult after = env.run_job("fb");
  INFO(after.all());
  CHECK(after.exit_code == 0);
  CHECK(occurrences(env, create) == 1);

  // Nothing left to retry for that key: saying so is an error a script can see.
  ProcResult again = env.ccetl({"push", "retry", "--job", "fb", "--key", "1"});
  INFO(again.all());
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("state succeeded, not unknown or failed; left as is") != std::string::npos);
}

// While a run of the job holds its lock (it may be sending the row that is `intent` right now),
// push retry changes nothing: re-marking that row would let a crash of the run resend it.
TEST_CASE("push retry refuses while a run of the job holds its lock", "[push][recovery]") {
  RelEnv env;
  env.write_config(kComments);
  REQUIRE(env.run_job("comments").exit_code == 0);  // creates the catalog and the ledger row
  env.query("UPDATE ccetl.push_log SET state = 'intent' WHERE job = 'comments'");
  auto running = ccetl::connect_warehouse(env.dsn());
  REQUIRE(running->try_lock_job("comments"));
  ProcResult retry = env.ccetl({"push", "retry", "--job", "comments"});
  INFO(retry.all());
  CHECK(retry.exit_code == 3);
  CHECK(retry.err.find("is running in another process") != std::string::npos);
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'comments'") == "intent");
  running->unlock_job("comments");
  ProcResult after = env.ccetl({"push", "retry", "--job", "comments"});
  INFO(after.all());
  CHECK(after.exit_code == 0);
  CHECK(env.scalar("SELECT state FROM ccetl.push_log WHERE job = 'comments'") == "failed");
}
