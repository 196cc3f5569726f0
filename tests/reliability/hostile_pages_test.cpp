// Hostile pages end to end, through the real binary: malformed JSON, wrong cell counts, an unknown
// dataType, a 10 MB cell, an HTML body answered with 200. Each run fails with an error naming the
// job and the page and leaves the table untouched, or (value-level problems) records the reject.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "reliability/rel_support.h"

using namespace ccetl::test;
using namespace ccetl::test::rel;

namespace {

const char* kFields = R"("fields": [{"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
                                    {"name": "Score", "dataType": "integer"}])";

std::string row(int i) {
  return "[\"H-" + std::to_string(i) + "\", \"summary " + std::to_string(i) + "\", " + std::to_string(i) + "]";
}

// Six rows, two per page; `page2` replaces rows 3 and 4 (the second page).
std::string dataset(const std::string& page2 = "", const std::string& fields = kFields) {
  std::string rows = row(1) + "," + row(2) + "," + (page2.empty() ? row(3) + "," + row(4) : page2) + "," + row(5) +
                     "," + row(6);
  return R"({"path": "/projects/Rel/feedbackDataPackages/Hostile", "resultsPerPage": 2, )" + fields +
         R"(, "rows": [)" + rows + "]}";
}

std::string cell(int ordinal, const std::string& type, const std::string& json_value) {
  std::string computed = json_value.front() == '"' ? json_value.substr(1, json_value.size() - 2) : json_value;
  return "{\"fieldOrdinal\":" + std::to_string(ordinal) + ",\"dataType\":\"" + type + "\",\"computedValue\":\"" +
         computed + "\",\"values\":[" + json_value + "]}";
}

// Page `page` of 3 (2 rows each) as the API renders it; `short_row`/`long_row` damage its first row.
std::string api_page(int page, bool short_row = false, bool long_row = false) {
  std::string rows;
  if (page <= 3) {
    for (int i = page * 2 - 1; i <= page * 2; ++i) {
      std::string r = "[" + cell(0, "string", "\"H-" + std::to_string(i) + "\"") + "," +
                      cell(1, "string", "\"summary " + std::to_string(i) + "\"");
      bool damaged = i == page * 2 - 1;
      if (!(damaged && short_row)) r += "," + cell(2, "integer", std::to_string(i));
      if (damaged && long_row) r += "," + cell(3, "string", "\"extra\"");
      rows += (rows.empty() ? "" : ",") + r + "]";
    }
  }
  return "{\"paging\":{\"currentPage\":" + std::to_string(page) +
         ",\"totalPages\":3,\"resultsPerPage\":2,\"totalResults\":6},\"fields\":[{\"name\":\"ID\",\"dataType\":\"string\"},"
         "{\"name\":\"Summary\",\"dataType\":\"string\"},{\"name\":\"Score\",\"dataType\":\"integer\"}],\"data\":[" +
         rows + "]}";
}

const char* kJob = R"(  - name: hostile
    source: {scope: project_feedback, project: Rel, report: Hostile}
    key: [ID]
)";

struct Loaded {
  RelEnv env;
  std::string before;
  Loaded() {
    env.put_dataset(dataset());
    env.write_config(kJob, "  max_attempts: 2\n");
    ProcResult first = env.run_job("hostile");
    INFO(first.all());
    REQUIRE(first.exit_code == 0);
    before = env.checksum("hostile");
  }
};

void expect_page_failure(RelEnv& env, const ProcResult& r, const std::string& before, int page) {
  INFO(r.all());
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.timed_out);
  CHECK_THAT(r.err, Catch::Contains("job 'hostile'") && Catch::Contains("page " + std::to_string(page)));
  CHECK(env.checksum("hostile") == before);
  CHECK(env.count("SELECT count(*) FROM ccetl.runs WHERE job = 'hostile' AND status = 'failed' AND error LIKE "
                  "'%page " + std::to_string(page) + "%'") == 1);
}

// A tiny server answering `GET ...?page=N...` with 200 and a canned body (Content-Type and text
// per page; pages without one get the last one): the answers the simulator refuses to serve —
// rows with the wrong number of cells, an HTML login page instead of JSON.
class CannedServer {
 public:
  void set(int page, std::string content_type, std::string body) {
    std::lock_guard lock(mu_);
    pages_[page] = {std::move(content_type), std::move(body)};
  }
  CannedServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) <= 0) break;
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      int page = 1;
      if (auto pos = request.find("page="); pos != std::string::npos) page = std::atoi(request.c_str() + pos + 5);
      std::pair<std::string, std::string> canned;
      {
        std::lock_guard lock(mu_);
        auto it = pages_.lower_bound(page);
        canned = it != pages_.end() && it->first == page ? it->second : pages_.rbegin()->second;
      }
      const std::string& body = canned.second;
      std::string answer = "HTTP/1.1 200 OK\r\nContent-Type: " + canned.first + "\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      ssize_t ignored = ::write(c, answer.data(), answer.size());
      (void)ignored;
      ::close(c);
    }
  }
  std::mutex mu_;
  std::map<int, std::pair<std::string, std::string>> pages_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("malformed JSON on page 2: the run fails naming job and page; the table is untouched", "[hostile]") {
  Loaded l;
  l.env.put_dataset(dataset(R"(["H-3", "changed", 3], ["H-4", "changed", 4])"));
  l.env.put_faults(R"({"rules": [{"kind": "malformed", "path": "Hostile", "page": 2}]})");
  expect_page_failure(l.env, l.env.run_job("hostile"), l.before, 2);
}

// Loads the three good pages from a canned server, then serves `bad_page2` as page 2.
void canned_page2_failure(const std::string& bad_page2) {
  CannedServer server;
  for (int page = 1; page <= 4; ++page) server.set(page, "application/json", api_page(page));
  RelEnv env;
  env.write_config(kJob, "  max_attempts: 2\n", "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v1");
  ProcResult first = env.run_job("hostile");
  INFO(first.all());
  REQUIRE(first.exit_code == 0);
  REQUIRE(env.count("SELECT count(*) FROM centercode.hostile") == 6);
  const std::string before = env.checksum("hostile");
  server.set(2, "application/json", bad_page2);
  // A row that does not match the fields is a broken page, not a value problem: the run fails.
  expect_page_failure(env, env.run_job("hostile"), before, 2);
}

TEST_CASE("a row with too few cells fails its page; the table is untouched", "[hostile]") {
  canned_page2_failure(api_page(2, true, false));
}

TEST_CASE("a row with too many cells fails its page; the table is untouched", "[hostile]") {
  canned_page2_failure(api_page(2, false, true));
}

TEST_CASE("an unknown dataType in a cell is a recorded reject, not a silent value", "[hostile]") {
  Loaded l;
  l.env.put_dataset(dataset(
      R"(["H-3", "changed", {"fieldOrdinal": 2, "dataType": "hologram", "computedValue": "x", "values": ["x"]}],
         ["H-4", "changed", 4])"));
  ProcResult r = l.env.run_job("hostile");
  INFO(r.all());
  REQUIRE(r.exit_code == 0);
  CHECK(l.env.count("SELECT count(*) FROM ccetl.rejects WHERE job = 'hostile' AND page = 2 AND field = 'Score'") == 1);
  CHECK(l.env.count("SELECT count(*) FROM centercode.hostile WHERE id = 'H-3' AND score IS NULL") == 1);
  CHECK(l.env.count("SELECT count(*) FROM centercode.hostile WHERE summary = 'changed'") == 2);
}

TEST_CASE("an unknown dataType in the fields metadata fails the run naming job and page 1", "[hostile]") {
  Loaded l;
  l.env.put_dataset(dataset("", R"("fields": [{"name": "ID", "dataType": "string"}, {"name": "Summary", "dataType": "string"},
                                              {"name": "Score", "dataType": "hologram"}])"));
  expect_page_failure(l.env, l.env.run_job("hostile"), l.before, 1);
}

TEST_CASE("a 10 MB cell is stored whole, not truncated", "[hostile]") {
  Loaded l;
  const std::string big(10 * 1024 * 1024, 'x');
  l.env.put_dataset(dataset(R"(["H-3", {"fieldOrdinal": 1, "dataType": "string", "computedValue": ")" + big +
                            R"(", "values": [")" + big + R"("]}, 3], ["H-4", "changed", 4])"));
  ProcOptions options;
  options.timeout_ms = 60'000;
  ProcResult r = l.env.run_job("hostile", options);
  INFO(r.err.substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  CHECK(l.env.count("SELECT length(summary) FROM centercode.hostile WHERE id = 'H-3'") ==
        static_cast<int64_t>(big.size()));
  CHECK(l.env.count("SELECT count(*) FROM centercode.hostile WHERE summary = 'changed'") == 1);
}

TEST_CASE("an HTML page answered with 200 fails the run naming job and page; nothing is loaded", "[hostile]") {
  CannedServer html;
  html.set(1, "text/html; charset=utf-8", "<!DOCTYPE html><html><body><h1>Please sign in</h1></body></html>");
  RelEnv env;
  env.write_config(kJob, "  max_attempts: 2\n", "http://127.0.0.1:" + std::to_string(html.port()) + "/api/v1");
  ProcOptions options;
  options.timeout_ms = 20'000;
  ProcResult r = env.run_job("hostile", options);
  INFO(r.all());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("job 'hostile'") && Catch::Contains("page 1"));
  CHECK(env.checksum("hostile") == "absent");
}
