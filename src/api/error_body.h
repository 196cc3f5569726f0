// Reads the API's error answers ({"status":…, "description":…, "invalidParameters":[…]}).
// Bodies that are not such JSON (HTML from a proxy, plain text) are tolerated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/api_error.h"

namespace ccetl::api {

struct ErrorBody {
  std::string description;  // the API's description, or a short excerpt of a non-JSON body
  std::vector<InvalidParameter> invalid_parameters;
};

// Never throws. Texts are not redacted here: the caller redacts before use.
ErrorBody parse_error_body(std::string_view body);

// "desc (invalid parameters: Find: A lookup query is required.; Other: …)"
std::string describe(const ErrorBody& error);

}  // namespace ccetl::api
