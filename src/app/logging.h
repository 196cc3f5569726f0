#pragma once

#include <string>

namespace ccetl {

// Sets up the default spdlog logger on stderr: `format` "text" (human-readable) or "json" (one
// JSON object per line: time, level, msg; job and run_id on the lines of a run). Messages pass
// through key redaction at their source.
//
// Under systemd, when stderr is the journal stream (JOURNAL_STREAM names its device and inode),
// every line starts with its syslog priority as "<N>" (3 error, 4 warning, 6 info, 7 debug):
// journald strips the prefix and files the line at that priority, so what is stored stays pure
// JSON in json format. The text format then leaves out the time stamp (the journal has its own).
void configure_logging(const std::string& level, const std::string& format);

// A diagnostic for the user of a command (a job failed, a warning, a configuration problem):
// with the text format the line is written to stderr as is, with the json format it goes
// through the logger like every other line, so that stderr holds nothing but JSON objects.
void report_error(const std::string& line);
void report_warning(const std::string& line);

}  // namespace ccetl
