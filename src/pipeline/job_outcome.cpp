#include <cstdio>

#include "pipeline/job_run.h"

namespace ccetl {

std::string JobOutcome::summary() const {
  char head[128];
  std::snprintf(head, sizeof head, "%s in %.1f s", succeeded ? "succeeded" : "FAILED",
                static_cast<double>(elapsed.count()) / 1000.0);
  if (push) {
    std::string line = job + ": " + head + ": " + std::to_string(counts.rows_read) + " read, " +
                       std::to_string(counts.inserted) + " sent, " + std::to_string(counts.unchanged) +
                       " unchanged, " + std::to_string(counts.rejected) + " failed, " +
                       std::to_string(unknown) + " unknown";
    if (counts.duplicates) line += " (" + std::to_string(counts.duplicates) + " duplicate keys skipped)";
    if (!succeeded && !error.empty()) line += ": " + error;
    return line;
  }
  std::string line = job + ": " + head + ": " + std::to_string(counts.pages) + " pages, " +
                     std::to_string(counts.rows_read) + " read, " + std::to_string(counts.inserted) +
                     " inserted, " + std::to_string(counts.updated) + " updated, " +
                     std::to_string(counts.unchanged) + " unchanged, " + std::to_string(counts.deleted) +
                     " deleted, " + std::to_string(counts.rejected) + " rejected";
  if (counts.duplicates) line += " (" + std::to_string(counts.duplicates) + " duplicate keys, last one kept)";
  if (!skipped_projects.empty()) {
    line += "; " + std::to_string(skipped_projects.size()) + " project(s) skipped (404):";
    for (const auto& p : skipped_projects) line += " " + p;
  }
  if (!succeeded && !error.empty()) line += ": " + error;
  return line;
}

}  // namespace ccetl
