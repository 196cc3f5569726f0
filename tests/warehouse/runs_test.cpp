// Run history, abandoned runs, failures, advisory locks, the catalog file, connection errors.
#include "support/source_root.h"
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "warehouse/catalog_sql.h"
#include "warehouse/db_error.h"
#include "wh_support.h"

using namespace wh_test;
using ccetl::DataType;

namespace {
std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}
int dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}
std::string source_file(const std::string& relative) {
  auto root = ccetl::test::source_root();
  std::ifstream in(root / relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("a run is recorded as running, then succeeded with its counts") {
  Db db;
  auto spec = keyed_spec();
  std::string run_id = db.wh->start_run(spec.job);
  CHECK(
      db.scalar("SELECT status || ' ' || pid || ' ' || hostname FROM ccetl.runs WHERE run_id = '" +
                run_id + "'") == "running " + std::to_string(::getpid()) + " " + host_name());
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare({field("ID", DataType::Integer)});
  copy_rows(*load, line(1, {"1"}) + line(2, {"1"}));
  ccetl::RunEnd end;
  end.pages = 2;
  end.rows_read = 3;
  end.messages = {"totalResults said 4"};
  load->commit(end);
  auto row = db.query(
      "SELECT status, pages, rows_read, inserted, duplicates, messages, "
      "finished_at IS NOT NULL FROM ccetl.runs WHERE run_id = '" +
      run_id + "'")[0];
  CHECK(row[0].as<std::string>() == "succeeded");
  CHECK(row[1].as<int>() == 2);
  CHECK(row[2].as<int>() == 3);
  CHECK(row[3].as<int>() == 1);
  CHECK(row[4].as<int>() == 1);
  CHECK(row[5].as<std::string>() == "totalResults said 4");
  CHECK(row[6].as<bool>());
}

TEST_CASE("fail_run records the error and counts") {
  Db db;
  std::string run_id = db.wh->start_run("j");
  ccetl::RunCounts counts;
  counts.pages = 3;
  counts.rows_read = 2500;
  db.wh->fail_run(run_id, "HTTP 503 from the API", counts);
  CHECK(db.scalar(
            "SELECT status || '|' || error || '|' || pages || '|' || rows_read FROM ccetl.runs") ==
        "failed|HTTP 503 from the API|3|2500");
}

TEST_CASE("runs left running by dead processes are marked abandoned on the next start") {
  Db db;
  std::string host = host_name();
  const int gone = dead_pid();
  db.exec(
      "INSERT INTO ccetl.runs (job, status, pid, hostname) VALUES "
      "('j', 'running', " +
      std::to_string(gone) + ", '" + host +
      "'), "
      "('j', 'running', " +
      std::to_string(::getppid()) + ", '" + host +
      "'), "
      "('j', 'running', 1, 'elsewhere'), "
      "('other', 'running', " +
      std::to_string(dead_pid()) + ", '" + host + "')");
  db.exec(
      "INSERT INTO ccetl.runs (job, status, pid, hostname, started_at) VALUES "
      "('j', 'running', 1, 'elsewhere-old', now() - interval '2 days')");
  db.wh->start_run("j");
  CHECK(db.count("SELECT count(*) FROM ccetl.runs WHERE job = 'j' AND status = 'abandoned'") == 2);
  CHECK(db.scalar(
            "SELECT string_agg(hostname, ',' ORDER BY hostname) FROM ccetl.runs WHERE job = 'j' "
            "AND status = 'running'") == "elsewhere," + host + "," + host);
  CHECK(db.scalar("SELECT status FROM ccetl.runs WHERE job = 'other'") == "running");
  // The reason names the dead process and what to look at, or the age rule for other hosts.
  CHECK(db.scalar("SELECT error FROM ccetl.runs WHERE job = 'j' AND status = 'abandoned' AND "
                  "hostname = '" + host + "'") ==
        "process " + std::to_string(gone) + " on " + host +
            " ended without recording an outcome (killed, or the database was unreachable when "
            "the run ended; see that process's log)");
  CHECK(db.scalar("SELECT error FROM ccetl.runs WHERE hostname = 'elsewhere-old'") ==
        "running for more than a day on another host");
}

TEST_CASE("the advisory job lock is exclusive between two warehouses") {
  Db db;
  auto other = ccetl::connect_warehouse(db.dsn);
  CHECK(db.wh->try_lock_job("nightly"));
  CHECK(db.wh->try_lock_job("nightly"));  // held already: no stacking
  CHECK_FALSE(other->try_lock_job("nightly"));
  CHECK(other->try_lock_job("hourly"));
  db.wh->unlock_job("nightly");
  CHECK(other->try_lock_job("nightly"));
  CHECK_FALSE(db.wh->try_lock_job("nightly"));
  other.reset();  // the session ends: its locks go with it (the backend exits asynchronously)
  bool got = false;
  for (int i = 0; i < 100 && !got; ++i) {
    got = db.wh->try_lock_job("nightly");
    if (!got) ::usleep(20000);
  }
  CHECK(got);
}

TEST_CASE("ensure_catalog is idempotent and applies sql/001_catalog.sql, compiled in verbatim at build time") {
  Db db;
  db.wh->ensure_catalog();
  db.wh->ensure_catalog();
  // runs, rejects, columns, push_log, push_files
  CHECK(db.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'ccetl'") == 5);
  CHECK(source_file("sql/001_catalog.sql") == ccetl::warehouse::kCatalogSql);
  db.exec("INSERT INTO ccetl.push_log (job, row_key, payload_hash) VALUES ('p', 'k1', 'h')");
  CHECK(db.scalar("SELECT state FROM ccetl.push_log") == "intent");
}

// A start (ensure_catalog) while runs hold catalog tables: a history run reads ccetl.runs in
// its transaction, a run writes its rejects. CREATE INDEX / ALTER TABLE ... IF NOT EXISTS would
// queue for their locks behind those runs (and every reader of ccetl.runs behind them), then
// fail after lock_timeout (30 s); the catalog creates only what is missing and takes no lock.
// Also: an older catalog gets the missing index and columns.
TEST_CASE("ensure_catalog neither waits for runs holding catalog tables nor misses what an older catalog lacks") {
  Db db;
  pqxx::connection holder(db.dsn);
  pqxx::work held(holder);
  held.exec("LOCK TABLE ccetl.runs IN ACCESS SHARE MODE");
  held.exec("LOCK TABLE ccetl.rejects IN ROW EXCLUSIVE MODE");
  auto start = ccetl::connect_warehouse(db.dsn);
  CHECK_NOTHROW(start->ensure_catalog());
  held.abort();

  db.exec("ALTER TABLE ccetl.runs DROP COLUMN history");
  db.exec("ALTER TABLE ccetl.runs DROP COLUMN unknown");
  db.exec("DROP INDEX ccetl.rejects_run");
  db.exec("DROP INDEX ccetl.runs_job_started");
  db.wh->ensure_catalog();
  CHECK(db.count("SELECT count(*) FROM pg_attribute WHERE attrelid = 'ccetl.runs'::regclass AND attname IN "
                 "('history', 'unknown') AND NOT attisdropped") == 2);
  CHECK(db.scalar("SELECT to_regclass('ccetl.rejects_run') IS NOT NULL AND "
                  "to_regclass('ccetl.runs_job_started') IS NOT NULL") == "t");
}

TEST_CASE("a lost connection during a run is a Transient error; the run can still be failed") {
  Db db;
  auto spec = keyed_spec();
  db.run(spec, {field("ID", DataType::Integer)}, line(1, {"1"}));
  std::string run_id = db.wh->start_run(spec.job);
  auto load = db.wh->begin_load(spec, run_id);
  load->prepare({field("ID", DataType::Integer)});
  copy_rows(*load, line(1, {"2"}));
  db.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
      "AND pid <> pg_backend_pid()");
  try {
    copy_rows(*load, line(2, {"3"}));
    load->commit({});
    FAIL("commit succeeded on a dead connection");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Transient);
  }
  load->abort();
  db.wh->fail_run(run_id, "connection lost", {});  // reconnects its control connection
  CHECK(db.scalar("SELECT status FROM ccetl.runs WHERE run_id = '" + run_id + "'") == "failed");
  CHECK(db.count("SELECT count(*) FROM centercode.users") == 1);
}

TEST_CASE("connection failures are Transient and never show the password") {
  CHECK(ccetl::warehouse::dsn_password("host=x password=s3cret dbname=y") == "s3cret");
  CHECK(ccetl::warehouse::dsn_password("host=x password = 'a b\\'c' dbname=y") == "a b'c");
  CHECK(ccetl::warehouse::dsn_password("postgresql://u:pw@h/db") == "pw");
  CHECK(ccetl::warehouse::dsn_password("host=x dbname=y") == "");
  try {
    ccetl::connect_warehouse(
        "host=/nonexistent-socket-dir port=1 user=u password=hunter2 dbname=d");
    FAIL("connected");
  } catch (const ccetl::Error& e) {
    CHECK(e.kind() == ccetl::ErrorKind::Transient);
    CHECK_THAT(std::string(e.what()), !Catch::Contains("hunter2"));
  }
  CHECK(ccetl::warehouse::kind_for_sqlstate("57P01") == ccetl::ErrorKind::Transient);
  CHECK(ccetl::warehouse::kind_for_sqlstate("08006") == ccetl::ErrorKind::Transient);
  CHECK(ccetl::warehouse::kind_for_sqlstate("22P02") == ccetl::ErrorKind::Data);
  CHECK(ccetl::warehouse::kind_for_sqlstate("42501") == ccetl::ErrorKind::Permanent);
}
