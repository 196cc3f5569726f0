#include <date/tz.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/sections.h"

namespace ccetl::config_detail {

bool valid_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '_';
  });
}

// The zones the daemon's scheduler can load (schedule/time_zone.h): a safe relative name that
// date's database over /usr/share/zoneinfo knows (which leaves out posix/, right/ and non-zones).
bool zone_exists(const std::string& name) {
  if (name == "UTC") return true;
  if (name.empty() || name.size() > 255 || name[0] == '/' || name[0] == '.' ||
      name.find("..") != std::string::npos) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' && c != '+') {
      return false;
    }
  }
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<std::string> read_secret_file(Problems& problems, const std::string& path,
                                            const SourceMark& at, const std::string& label,
                                            const std::string& base_dir) {
  const std::string full = (path.empty() || path[0] == '/') ? path : base_dir + "/" + path;
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    problems.add(at, label + ": cannot read '" + path + "': " + std::strerror(errno));
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) {
    problems.add(at, label + ": '" + path + "' is empty");
    return std::nullopt;
  }
  if (secret.find('\n') != std::string::npos) {
    problems.add(at, label + ": '" + path + "' must hold the secret on a single line");
    return std::nullopt;
  }
  struct stat st {};
  if (::stat(full.c_str(), &st) == 0 && (st.st_mode & S_IROTH)) {
    spdlog::warn("{}:{}:{}: {}: '{}' is readable by every user on this machine; restrict it "
                 "(chmod o-r '{}')",
                 at.file, at.line, at.column, label, path, full);
  }
  return secret;
}

}  // namespace ccetl::config_detail
