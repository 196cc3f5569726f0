// The Centercode API reference's own examples, embedded so that `centercode-sim` answers them
// with no fixture files. The text is a JSON array in the fixture format (docs/simulator.md).
#pragma once

#include <string_view>

namespace ccetl::sim {

std::string_view builtin_examples_json();

}  // namespace ccetl::sim
