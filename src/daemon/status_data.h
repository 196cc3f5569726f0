// The bounded queries behind the status pages and `ccetl status`.
//
// Cheap by construction: one connection, opened on first use (with connect_timeout) and
// reopened after a failure, never shared with the scheduler or a run; every query runs in a READ
// ONLY transaction with SET LOCAL statement_timeout; ccetl.runs is read through its
// (job, started_at) index, one newest run per configured job, at most kRunsShown runs per job
// page, messages and errors cut to kTextLimit bytes; table counts stop at kExactCountLimit rows.
// API keys are masked in every text read (the writers mask them too; this is the second line).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "daemon/status_model.h"

namespace ccetl {

inline constexpr int kTextLimit = 4000;

class StatusReader {
 public:
  explicit StatusReader(std::string dsn, std::chrono::milliseconds statement_timeout = std::chrono::seconds(2));
  ~StatusReader();
  StatusReader(const StatusReader&) = delete;
  StatusReader& operator=(const StatusReader&) = delete;

  // Every job of `config`, in configuration order, with its newest run and last success.
  // `next_runs` (job -> Unix seconds) comes from the daemon's scheduler; empty elsewhere.
  // Throws Error(Transient) when the database is unreachable, Error(Permanent) for a failed
  // query (e.g. the statement timeout). A database without ccetl.runs yields jobs never run.
  // Not thread-safe: use one reader per thread.
  StatusSnapshot overview(const Config& config, const std::map<std::string, int64_t>& next_runs);

  // One job: its summary, its last kRunsShown runs and its table(s) with row counts.
  JobDetail job(const Config& config, const JobSpec& job, const std::map<std::string, int64_t>& next_runs);

  const std::string& dsn() const { return dsn_; }

 private:
  struct Impl;
  std::string dsn_;
  std::unique_ptr<Impl> impl_;
};

// `dsn` with libpq's connect_timeout set (unless it names one already), in its own syntax
// (key=value or a postgresql:// URI).
std::string with_connect_timeout(const std::string& dsn, int seconds);

}  // namespace ccetl
