// BodySpool parks page bodies on disk between a fan-out run's two passes: what comes back is what
// went in, the byte cap holds, and a spool that cannot create its file says so (the caller then
// fetches the page again) instead of failing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "pipeline/body_spool.h"

using namespace ccetl;

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty())
      ::unsetenv(name_);
    else
      ::setenv(name_, old_.c_str(), 1);
  }

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

TEST_CASE("body spool: bodies come back byte for byte, with padding room, within the cap", "[fanout][spool]") {
  BodySpool spool(1000);
  std::string a(300, 'a');
  a[7] = '\0';  // any bytes
  const std::string b = "{\"data\": [\"\xc3\xbc\"]}";
  auto slot_a = spool.put(a);
  auto slot_b = spool.put(b);
  REQUIRE(slot_a);
  REQUIRE(slot_b);
  CHECK_FALSE(spool.put(std::string(800, 'c')));  // 300 + 19 + 800 > 1000: not parked
  auto slot_d = spool.put(std::string(600, 'd'));  // still fits after the refusal
  REQUIRE(slot_d);
  std::string out = "old content";
  REQUIRE(spool.get(*slot_b, out));
  CHECK(out == b);
  CHECK(out.capacity() >= b.size() + 64);  // the decoder parses in place
  REQUIRE(spool.get(*slot_a, out));
  CHECK(out == a);
  REQUIRE(spool.get(*slot_d, out));
  CHECK(out == std::string(600, 'd'));
}

TEST_CASE("body spool: no usable temporary directory means nothing is parked", "[fanout][spool]") {
  ScopedEnv tmp("TMPDIR", "/nonexistent-ccetl-spool-dir");
  BodySpool spool(1u << 20);
  CHECK_FALSE(spool.put("page"));
  CHECK_FALSE(spool.put("page"));
}

// Bug caught: each spool had only its own cap, so a daemon running two fan-out jobs at once
// parked twice the cap in /tmp (a 64 Mi emptyDir in deploy/k8s: exceeding it evicts the pod).
TEST_CASE("body spool: all spools of the process share one budget, returned when a spool ends", "[fanout][spool]") {
  const std::size_t half = BodySpool::kProcessBudget / 2;
  const std::size_t before = BodySpool::process_parked_bytes();
  {
    BodySpool first(BodySpool::kProcessBudget);
    BodySpool second(BodySpool::kProcessBudget);
    REQUIRE(first.put(std::string(half, 'a')));
    REQUIRE(second.put(std::string(half - before - 10, 'b')));
    CHECK_FALSE(second.put(std::string(100, 'c')));  // within second's own cap, over the process's
    CHECK(BodySpool::process_parked_bytes() == BodySpool::kProcessBudget - 10);
  }
  CHECK(BodySpool::process_parked_bytes() == before);
  BodySpool third(BodySpool::kProcessBudget);
  CHECK(third.put(std::string(100, 'd')));
}
