#include "warehouse/run_completeness.h"

namespace ccetl {

bool removals_skipped(const std::vector<std::string>& messages) {
  for (const auto& m : messages) {
    std::string_view v(m);
    if (v.substr(0, kDeletesSkipped.size()) == kDeletesSkipped ||
        v.substr(0, kRefreshSkipped.size()) == kRefreshSkipped)
      return true;
  }
  return false;
}

}  // namespace ccetl
