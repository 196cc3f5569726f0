#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string_view>

namespace ccetl {
namespace {

void append_json_escaped(std::string_view in, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : in) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (c < 0x20) {
          char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(std::string_view(esc, 6));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
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
        dest.append(std::string_view("\"job\":\""));
        append_json_escaped(text.substr(1, space - 1), dest);
        dest.append(std::string_view("\",\"run_id\":\""));
        append_json_escaped(text.substr(space + 1, close - space - 1), dest);
        dest.append(std::string_view("\","));
        text = text.substr(close + 2);
      }
    }
    dest.append(std::string_view("\"msg\":\""));
    append_json_escaped(text, dest);
    dest.push_back('"');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessage>(); }
};

}  // namespace

void configure_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("ccetl");
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessage>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace ccetl
