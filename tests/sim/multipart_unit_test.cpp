// The streaming multipart parser fed in every chunk size, in-process.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/multipart.h"
#include "sim_test_util.h"

using namespace ccetl::test;

TEST_CASE("multipart parser handles delimiters split across chunks", "[sim][multipart]") {
  auto dir = std::filesystem::temp_directory_path() / ("sim-mp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string content = "ab\r\n-\r\n--boundar\r\n--xboundary tail";
  std::string body = "preamble\r\n--boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a/b/c.txt\"\r\n\r\n" +
                     content + "\r\n--boundary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--boundary--\r\nepilogue";
  CHECK(ccetl::sim::multipart_boundary("multipart/form-data; boundary=\"boundary\"") == "boundary");
  CHECK(ccetl::sim::multipart_boundary("application/json").empty());
  for (size_t chunk = 1; chunk <= body.size(); ++chunk) {
    INFO("chunk " << chunk);
    ccetl::sim::MultipartWriter w("boundary", dir.string(), "t" + std::to_string(chunk));
    for (size_t i = 0; i < body.size(); i += chunk) REQUIRE(w.feed(body.data() + i, std::min(chunk, body.size() - i)));
    REQUIRE(w.finish());
    auto& res = w.result();
    REQUIRE(res.files.size() == 1);
    CHECK(res.files[0].field == "file");
    CHECK(res.files[0].file_name == "a/b/c.txt");
    CHECK(res.files[0].size == content.size());
    CHECK(read_text(res.files[0].stored_path) == content);
    CHECK(res.files[0].stored_path.find("/a/b/") == std::string::npos);
    w.discard();
    CHECK(!std::filesystem::exists(res.files[0].stored_path));
  }
  ccetl::sim::MultipartWriter cut("boundary", dir.string(), "cut");
  std::string partial = body.substr(0, body.size() / 2);
  cut.feed(partial.data(), partial.size());
  CHECK(!cut.finish());
  CHECK(!cut.result().error.empty());
  std::filesystem::remove_all(dir);
}
