// Parses the fixture format (docs/simulator.md) into Endpoints. Used for --fixtures DIR,
// PUT /_sim/datasets and the embedded reference examples.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/model.h"

namespace ccetl::sim {

// Parses one fixture object or an array of them. `default_api_key` binds fixtures that name no
// key. Throws ccetl::Error(Config) naming the problem on invalid input.
std::vector<Endpoint> parse_fixtures(std::string_view json, const std::string& default_api_key);

// Loads every *.json in `dir` (sorted by name).
std::vector<Endpoint> load_fixture_dir(const std::string& dir, const std::string& default_api_key);

// The kind implied by a path's second-to-last segment, e.g. ".../feedbackDataPackages/X".
std::optional<EndpointKind> kind_from_path(std::string_view path);

// Normalizes a fixture/admin path: strips a leading "/api/v1", ensures a leading '/', drops a
// trailing '/'.
std::string normalize_path(std::string_view path);

// Renders a shorthand value list as a data-package cell.
Cell make_cell(int ordinal, const std::string& data_type, const std::vector<std::string>& values);

}  // namespace ccetl::sim
