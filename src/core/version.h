#pragma once

namespace ccetl {

// The project version from CMakeLists.txt's project() (ccetl_build_info). Defined in a file
// generated at configure time (cmake/version.cpp.in).
const char* version();

}  // namespace ccetl
