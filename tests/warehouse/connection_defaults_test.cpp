// Bounded waits by default: connect_timeout and TCP keepalives are added to a DSN that sets none,
// a DSN's own values win, statement_timeout joins the DSN's (or PGOPTIONS') options, and the
// result still connects.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <pqxx/pqxx>

#include "support/pg_cluster.h"
#include "warehouse/connection_defaults.h"

using ccetl::warehouse::with_connection_defaults;
using namespace std::chrono_literals;

TEST_CASE("connection defaults: added when missing, the DSN's own values kept", "[warehouse][dsn]") {
  ::unsetenv("PGCONNECT_TIMEOUT");
  ::unsetenv("PGOPTIONS");
  std::string plain = with_connection_defaults("host=db.example port=5432 dbname=app user=etl password='p w'");
  CHECK_THAT(plain, Catch::Contains("connect_timeout='10'") && Catch::Contains("keepalives='1'") &&
                        Catch::Contains("keepalives_idle='30'") && Catch::Contains("keepalives_interval='10'") &&
                        Catch::Contains("keepalives_count='3'") && Catch::Contains("tcp_user_timeout='60000'") &&
                        Catch::Contains("password='p w'") && Catch::Contains("host='db.example'"));
  CHECK(plain.find("options") == std::string::npos);

  std::string own = with_connection_defaults("host=db port=5432 connect_timeout=3 keepalives_idle=5");
  CHECK_THAT(own, Catch::Contains("connect_timeout='3'") && Catch::Contains("keepalives_idle='5'"));
  CHECK(own.find("connect_timeout='10'") == std::string::npos);

  std::string uri = with_connection_defaults("postgresql://etl:s%40cret@db.example:6543/app?sslmode=require");
  CHECK_THAT(uri, Catch::Contains("host='db.example'") && Catch::Contains("port='6543'") &&
                      Catch::Contains("password='s@cret'") && Catch::Contains("sslmode='require'") &&
                      Catch::Contains("connect_timeout='10'"));

  ::setenv("PGCONNECT_TIMEOUT", "7", 1);
  CHECK(with_connection_defaults("host=db").find("connect_timeout") == std::string::npos);
  ::unsetenv("PGCONNECT_TIMEOUT");

  CHECK(with_connection_defaults("this is not = a ' dsn") == "this is not = a ' dsn");
}

TEST_CASE("connection defaults: statement_timeout joins options", "[warehouse][dsn]") {
  ::unsetenv("PGOPTIONS");
  CHECK_THAT(with_connection_defaults("host=db", 90s), Catch::Contains("options='-c statement_timeout=90000'"));
  CHECK_THAT(with_connection_defaults("host=db options='-c search_path=x'", 2s),
             Catch::Contains("options='-c search_path=x -c statement_timeout=2000'"));
  ::setenv("PGOPTIONS", "-c work_mem=64MB", 1);
  CHECK_THAT(with_connection_defaults("host=db", 2s),
             Catch::Contains("options='-c work_mem=64MB -c statement_timeout=2000'"));
  ::unsetenv("PGOPTIONS");
}

TEST_CASE("connection defaults: the result connects, and statement_timeout is in force", "[warehouse][dsn]") {
  std::string dsn = with_connection_defaults(ccetl::test::fresh_database(), 1s);
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  CHECK(tx.exec1("SHOW statement_timeout")[0].as<std::string>() == "1s");
  CHECK_THROWS_AS(tx.exec("SELECT pg_sleep(5)"), pqxx::sql_error);
}
