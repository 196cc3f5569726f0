// Which succeeded runs were complete syncs. A message of RunCounts::messages (and of
// ccetl.runs.messages, one per line) that starts with one of these prefixes says the run loaded
// its rows but did not remove the rows the source no longer has: it succeeded without being a
// complete sync (metrics: outcome "deletes_skipped"; it does not move
// ccetl_last_success_timestamp_seconds). The loader writes these messages (table_load.cpp);
// tests/app/observability_test.cpp holds a real run's message to them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccetl {

inline constexpr std::string_view kDeletesSkipped = "deletes skipped";
inline constexpr std::string_view kRefreshSkipped = "full refresh skipped";

// True when one of `messages` starts with kDeletesSkipped or kRefreshSkipped.
bool removals_skipped(const std::vector<std::string>& messages);

}  // namespace ccetl
