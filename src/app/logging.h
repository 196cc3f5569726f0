#pragma once

#include <string>

namespace ccetl {

// Sets up the default spdlog logger on stderr: `format` "text" (human-readable) or "json" (one
// JSON object per line: time, level, msg). Messages pass through key redaction at their source.
void configure_logging(const std::string& level, const std::string& format);

}  // namespace ccetl
