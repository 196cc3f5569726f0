#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "support/pg_cluster.h"

TEST_CASE("the throwaway test cluster hands out separate databases") {
  std::string a = ccetl::test::fresh_database();
  std::string b = ccetl::test::fresh_database();
  CHECK(a != b);
  pqxx::connection c(a);
  pqxx::work tx(c);
  CHECK(tx.exec1("SELECT current_setting('server_version_num')::int / 10000")[0].as<int>() == 15);
}
