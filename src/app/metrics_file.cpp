#include "app/metrics_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace ccetl {

void write_metrics_file(const Metrics& metrics, const std::string& path) {
  // node_exporter reads only *.prom files: a temporary name without that suffix is never read.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const std::string text = metrics.render();
  auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw Error(ErrorKind::Config, "--metrics-file " + path + ": cannot " + what + ": " + reason);
  };
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) fail("create " + tmp);
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 &&
                       ::fsync(::fileno(f)) == 0;
  if (std::fclose(f) != 0 || !written) fail("write " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("rename " + tmp + " to it");
}

}  // namespace ccetl
