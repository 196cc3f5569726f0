#include <catch2/catch.hpp>

#include "api/error_body.h"

using namespace ccetl::api;

TEST_CASE("error bodies: description and invalid parameters", "[api][errors]") {
  auto e = parse_error_body(R"({"status":400,"description":"The specified request is invalid.",
      "invalidParameters":[{"name":"Find","description":"A lookup query is required."},
                           {"description":"Too big.","name":"Page"}]})");
  CHECK(e.description == "The specified request is invalid.");
  REQUIRE(e.invalid_parameters.size() == 2);
  CHECK(e.invalid_parameters[1].name == "Page");
  CHECK(describe(e) ==
        "The specified request is invalid. (invalid parameters: Find: A lookup query is required.; Page: Too big.)");
  CHECK(parse_error_body(R"({"status":403,"description":"Forbidden \u00e9"})").description == "Forbidden é");
}

TEST_CASE("non-JSON error bodies become a short one-line excerpt", "[api][errors]") {
  auto e = parse_error_body("<html>\n<body>Bad   gateway</body>\n</html>");
  CHECK(e.description == "<html> <body>Bad gateway</body> </html>");
  CHECK(parse_error_body(std::string(5000, 'x')).description.size() < 300);
  CHECK(parse_error_body("").description.empty());
  CHECK(parse_error_body("{\"description\": ").description == "{\"description\":");
  CHECK(parse_error_body("[1,2]").description == "[1,2]");
}
