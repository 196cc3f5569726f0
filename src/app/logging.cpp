#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/json_string.h"

namespace ccetl {
namespace {

// How configure_logging set up the process's stderr (one per process, like the default logger).
struct LogSetup {
  bool json = false;
  bool journal = false;
};
LogSetup& log_setup() {
  static LogSetup setup;
  return setup;
}

// systemd's documented test: JOURNAL_STREAM is "DEVICE:INODE" of the stream it connected to
// stderr; a process whose stderr was redirected elsewhere since must not prefix.
bool stderr_is_journal() {
  const char* value = std::getenv("JOURNAL_STREAM");
  if (!value) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(value, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;
    case spdlog::level::err: return 3;
    case spdlog::level::warn: return 4;
    case spdlog::level::info: return 6;
    default: return 7;
  }
}

// "<N>": the line's syslog priority for journald (sd-daemon(3)'s SD_ERR... prefixes).
class PriorityPrefix final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    char prefix[4] = {'<', static_cast<char>('0' + syslog_priority(msg.level)), '>', '\0'};
    dest.append(std::string_view(prefix, 3));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PriorityPrefix>(); }
};

void append_json(std::string_view text, spdlog::memory_buf_t& dest) {
  std::string quoted;
  append_json_string(quoted, text);
  dest.append(std::string_view(quoted));
}

// Renders the message as JSON members. Lines of a job run start with "[JOB RUN_ID] " (the
// pipeline's convention); those become "job" and "run_id" members so log pipelines can filter.
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (text.size() > 2 && text.front() == '[') {
      auto close = text.find("] ");
      auto space = text.find(' ');
      if (close != std::string_view::npos && space != std::string_view::npos && space < close) {
        dest.append(std::string_view("\"job\":"));
        append_json(text.substr(1, space - 1), dest);
        dest.append(std::string_view(",\"run_id\":"));
        append_json(text.substr(space + 1, close - space - 1), dest);
        dest.push_back(',');
        text = text.substr(close + 2);
      }
    }
    dest.append(std::string_view("\"msg\":"));
    append_json(text, dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessage>(); }
};

void report(spdlog::level::level_enum level, const std::string& line) {
  const LogSetup& setup = log_setup();
  if (setup.json) {
    // The "ccetl: " that starts a line on a terminal says who is speaking; a JSON line does not need it.
    std::string_view text(line);
    if (text.substr(0, 7) == "ccetl: ") text.remove_prefix(7);
    spdlog::log(level, "{}", text);
    return;
  }
  if (setup.journal) std::fprintf(stderr, "<%d>", syslog_priority(level));
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace

void configure_logging(const std::string& level, const std::string& format) {
  LogSetup& setup = log_setup();
  setup.json = format == "json";
  setup.journal = stderr_is_journal();
  auto logger = spdlog::stderr_logger_mt("ccetl");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(setup.json ? spdlog::pattern_time_type::utc
                                                                           : spdlog::pattern_time_type::local);
  formatter->add_flag<PriorityPrefix>('P');  // custom flags take precedence over spdlog's %P (pid)
  formatter->add_flag<JsonMessage>('*');
  const std::string prefix = setup.journal ? "%P" : "";
  if (setup.json)
    formatter->set_pattern(prefix + R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%*})");
  else if (setup.journal)
    formatter->set_pattern(prefix + "%l %v");
  else
    formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_formatter(std::move(formatter));
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

void report_error(const std::string& line) { report(spdlog::level::err, line); }
void report_warning(const std::string& line) { report(spdlog::level::warn, line); }

}  // namespace ccetl
