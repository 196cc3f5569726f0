// A throwaway PostgreSQL 15 cluster for tests: initdb into a temp dir, a free port, a socket
// dir of its own, run as the `postgres` OS user when we are root. Started once per test process
// (or reused from CCETL_TEST_PG_DSN_BASE when scripts/test started one) and stopped at exit.
#pragma once

#include <string>

namespace ccetl::test {

// A libpq connection string for a new, empty database in the test cluster. Each call creates a
// database of its own, so test cases never see each other's tables.
std::string fresh_database();

// Connection string of the cluster's `postgres` database (for admin statements).
std::string admin_dsn();

// Stops and restarts the cluster (tests of connection loss). Only for the cluster this process
// started itself.
void restart_cluster();

// Stops the cluster (fast shutdown) until start_cluster() (tests of a database outage). Only for
// the cluster this process started itself; owns_cluster() says whether it did.
bool owns_cluster();
void stop_cluster();
void start_cluster();

// Freezes every process of the cluster (SIGSTOP) until thaw_cluster() (SIGCONT): a server that
// keeps its connections open and answers nothing, as a frozen host does. Returns the number of
// processes stopped (0: nothing frozen). Only for the cluster this process started itself.
int freeze_cluster();
void thaw_cluster();

}  // namespace ccetl::test
