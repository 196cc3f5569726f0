// Counters every reliability scenario reports; the soak mode prints them as one
// `SOAK-SUMMARY ...` line each, which scripts/soak gathers into its summary table.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace ccetl::test::rel {

struct SoakStats {
  std::string scenario;
  int64_t trials = 0;
  int64_t faults = 0;          // kills, outages or injected API faults
  int64_t runs_completed = 0;  // runs that exited 0
  int64_t rows_compared = 0;   // rows checked against the source / a clean load
  int64_t mismatches = 0;      // must stay 0
  int64_t leaks = 0;           // key found where it must not be, hung runs, stray `running` rows: must stay 0

  void print() const {
    std::printf("SOAK-SUMMARY scenario=%s trials=%lld faults=%lld completed=%lld rows_compared=%lld mismatches=%lld leaks=%lld\n",
                scenario.c_str(), static_cast<long long>(trials), static_cast<long long>(faults),
                static_cast<long long>(runs_completed), static_cast<long long>(rows_compared),
                static_cast<long long>(mismatches), static_cast<long long>(leaks));
    std::fflush(stdout);
  }
};

}  // namespace ccetl::test::rel
