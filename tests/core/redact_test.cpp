#include <catch2/catch.hpp>

#include "core/redact.h"
#include "core/types.h"

using namespace ccetl;

TEST_CASE("apiKey query parameters are masked wherever they appear") {
  CHECK(mask_api_key_params("GET /x?page=1&apiKey=s3cr3t") == "GET /x?page=1&apiKey=***");
  CHECK(mask_api_key_params("/x?apikey=abc&page=2 failed") == "/x?apikey=***&page=2 failed");
  CHECK(mask_api_key_params("no key here") == "no key here");
}

TEST_CASE("redact removes the secret itself, not just the parameter") {
  CHECK(redact("server said: bad key s3cr3t!", "s3cr3t") == "server said: bad key ***!");
  CHECK(redact("s3cr3ts3cr3t", "s3cr3t") == "******");
  CHECK(redact("nothing", "") == "nothing");
}

TEST_CASE("data types and scopes parse their documented names only") {
  CHECK(parse_data_type("integer") == DataType::Integer);
  CHECK_FALSE(parse_data_type("Integer"));
  CHECK(parse_scope("project_feedback") == Scope::ProjectFeedback);
  CHECK_FALSE(parse_scope("project"));
  CHECK(scope_needs_project(Scope::ProjectUser));
  CHECK_FALSE(scope_needs_project(Scope::CommunityProject));
  Field renamed{"New name", DataType::String, "F1", "Q7"};
  Field original{"Old name", DataType::String, "F1", "Q7"};
  CHECK(renamed.identity() == original.identity());
}
