// Internal to the config layer: readers for each part of the file, shared by config.cpp,
// jobs.cpp and push.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace ccetl::config_detail {

// Where cross-job references were written, for messages after all jobs are read.
struct JobMarks {
  SourceMark name;
  std::vector<SourceMark> after;       // one per JobSpec::after element
  SourceMark projects_from_job;
  bool has_own_key = false;
};

// [a-z_][a-z0-9_]*, at most 63 bytes (a PostgreSQL identifier without quoting).
bool valid_identifier(const std::string& name);
// An installed IANA zone name (checked against /usr/share/zoneinfo).
bool zone_exists(const std::string& name);

// Reads a secret from `path` (relative paths are relative to `base_dir`): trailing newline(s)
// trimmed; a warning via spdlog when the file is readable by every user. Reports and returns
// nullopt when it cannot be read or is empty. Never includes the contents in any message.
std::optional<std::string> read_secret_file(Problems& problems, const std::string& path,
                                            const SourceMark& at, const std::string& label,
                                            const std::string& base_dir);

// Reads `jobs:` into config.jobs, then checks references between jobs and API keys.
void read_jobs(const MapReader& top, Config& config, bool has_default_key);

// Reads `push:` of one job (`job` is the job's map reader, `owner` e.g. "job 'x'").
std::optional<PushSpec> read_push(const MapReader& job, const std::string& owner);

}  // namespace ccetl::config_detail
