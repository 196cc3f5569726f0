# ccetl_module(NAME DEPS ...): a static library from src/NAME/*.cpp.
# Sources are globbed so that adding a file to a layer needs no CMake edit.
function(ccetl_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  if(NOT srcs)
    set(srcs ${PROJECT_SOURCE_DIR}/cmake/empty.cpp)
  endif()
  add_library(ccetl_${name} STATIC ${srcs})
  target_include_directories(ccetl_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ccetl_${name} PUBLIC ${M_DEPS})
endfunction()

# ccetl_test_suite(NAME [COST SECONDS] DEPS ...): one Catch2 executable test_NAME from
# tests/NAME/*.cpp. COST (its usual run time) makes ctest -j start the long suites first when it
# has no timings of its own yet (a fresh build directory).
function(ccetl_test_suite name)
  cmake_parse_arguments(T "" "COST" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(test_${name} ${srcs})
  target_link_libraries(test_${name} PRIVATE ccetl_test_support ${T_DEPS})
  if(CCETL_PCH)
    target_precompile_headers(test_${name} REUSE_FROM ccetl_test_support)
  endif()
  add_test(NAME ${name} COMMAND test_${name} --order rand --warn NoAssertions)
  if(T_COST)
    set_tests_properties(${name} PROPERTIES COST ${T_COST})
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT
    "CCETL_BIN_DIR=${PROJECT_BINARY_DIR};CCETL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
