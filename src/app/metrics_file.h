// `ccetl run --metrics-file PATH`: the run's metrics in the Prometheus text format, for
// node_exporter's textfile collector (CronJob and systemd-timer users have no /metrics).
#pragma once

#include <string>

#include "daemon/metrics.h"

namespace ccetl {

// Writes `metrics` to `path` atomically: to a temporary file in the same directory, flushed,
// then renamed over `path`, so the collector never reads half a file. Throws Error(Config)
// naming the path when it cannot be written.
void write_metrics_file(const Metrics& metrics, const std::string& path);

}  // namespace ccetl
