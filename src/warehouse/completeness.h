// Which projects of a run are proven complete, so that their rows may be deleted (keyed jobs
// with `deletes:`) or replaced (full refresh). Pure: the loader passes in what it counted in
// staging. The rule (docs/warehouse.md, "Complete") per project: the pipeline saw every page with
// paging equal to page 1's (ProjectRead::incomplete empty) and, when the API announced
// totalResults, distinct keys staged (rows, for a full refresh) plus distinct rows rejected for
// a bad key equal it. Nothing is summed across projects: one project's growth never hides another's loss.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace ccetl::warehouse {

struct CompleteScope {
  std::vector<std::string> complete;    // projects whose rows may be deleted or replaced
  std::vector<std::string> incomplete;  // projects read but not proven complete
};

// The projects of `end` (RunEnd::projects, or the one project "" its other members describe).
std::vector<ProjectRead> projects_of(const RunEnd& end);

// Whether judge_completeness needs the staged counts at all (some project passed the pipeline's
// checks and announced totalResults); counting costs a pass over staging.
bool needs_staged_counts(const RunEnd& end);

// Judges every project of `end`. `staged` maps project -> distinct keys staged (keyed jobs) or
// rows staged (full refresh); `keyed` selects the wording. Appends one message per incomplete
// project to `messages`, naming the check that failed and `action` ("deletes", "full refresh").
CompleteScope judge_completeness(const RunEnd& end, const std::map<std::string, int64_t>& staged,
                                 bool keyed, const std::string& action,
                                 std::vector<std::string>& messages);

}  // namespace ccetl::warehouse
