#include "reliability/rel_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/pg_cluster.h"

namespace ccetl::test::rel {
namespace {

int& counter() {
  static int n = 0;
  return n;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// VmHWM of `pid` in kB, or -1 when its /proc/PID/status cannot be read, has no VmHWM (a zombie)
// or does not yet name `name` (the forked test process before execv: its VmHWM is the test's).
int64_t peak_rss_kb(pid_t pid, const std::string& name) {
  char buf[8192];
  int fd = ::open(("/proc/" + std::to_string(pid) + "/status").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = ::read(fd, buf, sizeof buf - 1);  // one read: one consistent snapshot
  ::close(fd);
  if (n <= 0) return -1;
  std::string status(buf, static_cast<size_t>(n));
  // Name: is the first 15 bytes of the executable's file name.
  if (status.rfind("Name:\t" + name.substr(0, 15) + "\n", 0) != 0) return -1;
  auto pos = status.find("\nVmHWM:");
  if (pos == std::string::npos) return -1;
  return std::strtoll(status.c_str() + pos + 7, nullptr, 10);
}

}  // namespace

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string ccetl_binary() {
  if (const char* dir = std::getenv("CCETL_BIN_DIR"); dir && *dir) return std::string(dir) + "/ccetl";
  return (std::filesystem::path(SimProcess::binary_path()).parent_path() / "ccetl").string();
}

ProcResult run_process(const std::vector<std::string>& argv, const ProcOptions& options) {
  const std::string stem = (std::filesystem::temp_directory_path() /
                            ("ccetl-rel-" + std::to_string(::getpid()) + "-p" + std::to_string(counter()++)))
                               .string();
  const std::string out_path = stem + ".out", err_path = stem + ".err";
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const auto started = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& [k, v] : options.env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ProcResult result;
  const std::string name = std::filesystem::path(argv[0]).filename().string();
  int status = 0;
  auto next_probe = started;
  for (;;) {
    if (options.sample_peak_rss)
      result.peak_rss_kb = std::max(result.peak_rss_kb, peak_rss_kb(pid, name));
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    bool kill_now = options.kill_after_ms >= 0 && ms >= options.kill_after_ms;
    if (options.kill_when && std::chrono::steady_clock::now() >= next_probe) {
      kill_now = kill_now || options.kill_when();
      next_probe = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    }
    bool timeout = ms >= options.timeout_ms;
    if (kill_now && !result.signalled && options.kill_signal != SIGKILL) {
      ::kill(pid, options.kill_signal);  // a clean stop: wait for the child to exit by itself
      result.signalled = true;
      continue;
    }
    if (result.signalled) kill_now = false;
    if (kill_now || timeout) {
      result.signalled = result.signalled || kill_now;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.killed = true;
      result.timed_out = timeout && !kill_now;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
    result.killed = false;  // it finished before the kill landed
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  std::error_code ec;
  std::filesystem::remove(out_path, ec);
  std::filesystem::remove(err_path, ec);
  return result;
}

RelEnv::RelEnv(std::vector<std::string> sim_args, const std::string& key)
    : key_(key),
      sim_([&] {
        sim_args.insert(sim_args.begin(), {"--api-key", key});
        return sim_args;
      }()),
      admin_(sim_.host(), sim_.port()),
      dsn_(fresh_database()) {
  dir_ = std::filesystem::temp_directory_path() /
         ("ccetl-rel-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
  std::filesystem::create_directories(dir_);
}

RelEnv::~RelEnv() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void RelEnv::put_dataset(const std::string& json) {
  auto r = admin_.put_json("/_sim/datasets", json);
  if (r.status != 200 && r.status != 201)
    throw std::runtime_error("PUT /_sim/datasets: " + std::to_string(r.status) + " " + r.body);
}

void RelEnv::put_faults(const std::string& json) {
  auto r = admin_.put_json("/_sim/faults", json);
  if (r.status != 200) throw std::runtime_error("PUT /_sim/faults: " + std::to_string(r.status) + " " + r.body);
}

std::string RelEnv::write_config(const std::string& jobs_yaml, const std::string& extra_centercode,
                                 const std::string& base_url, bool allow_http) {
  config_path_ = (dir_ / "ccetl.yaml").string();
  std::ofstream out(config_path_);
  out << "centercode:\n  base_url: " << (base_url.empty() ? sim_.base_url() + "/api/v1" : base_url)
      << "\n  api_key: " << key_ << "\n";
  if (allow_http) out << "  allow_insecure_http: true\n";
  // The API's documented 10 requests/s would make every test run take seconds; the simulator
  // does not limit unless a test asks it to.
  if (extra_centercode.find("rate_limit") == std::string::npos) out << "  rate_limit: 1000\n";
  out << extra_centercode << "warehouse:\n  dsn: \"" << dsn_ << "\"\n  schema: centercode\njobs:\n" << jobs_yaml;
  return config_path_;
}

ProcResult RelEnv::ccetl(const std::vector<std::string>& args, const ProcOptions& options,
                         const std::string& log_level) {
  std::vector<std::string> argv{ccetl_binary(), "--log-level", log_level};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("-c");
  argv.push_back(config_path_);
  return run_process(argv, options);
}

pqxx::result RelEnv::query(const std::string& sql) {
  pqxx::connection c(dsn_);
  pqxx::nontransaction tx(c);
  return tx.exec(sql);
}

int64_t RelEnv::count(const std::string& sql) { return query(sql)[0][0].as<int64_t>(); }

std::string RelEnv::scalar(const std::string& sql) {
  auto r = query(sql);
  return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].c_str();
}

std::string RelEnv::checksum(const std::string& table, const std::string& order_by) {
  if (scalar("SELECT to_regclass('centercode." + table + "')::text").empty()) return "absent";
  return scalar("SELECT coalesce(md5(string_agg((to_jsonb(t) - '_synced_at' - '_deleted_at')::text, E'\\n' "
                "ORDER BY t." + order_by + ")), 'empty') FROM centercode." + table + " t");
}

std::map<std::string, std::string> RelEnv::row_hashes(const std::string& table) {
  // The content of each row: system columns that say when or how a row was loaded (_row_hash
  // exists in keyed tables only) are left out, so a keyed table compares with a full refresh.
  std::map<std::string, std::string> out;
  for (const auto& row : query("SELECT t.id, md5((to_jsonb(t) - '_synced_at' - '_deleted_at' - '_row_hash')::text) FROM centercode." +
                               table + " t"))
    out[row[0].c_str()] = row[1].c_str();
  return out;
}

std::set<std::string> RelEnv::source_ids(const std::string& path) {
  std::set<std::string> ids;
  for (int page = 1;; ++page) {
    auto r = admin_.get("/api/v1" + path + "?page=" + std::to_string(page) + "&apiKey=" + key_);
    for (int wait = 0; r.status == 429 && wait < 5; ++wait) {  // a test that turned the rate limit on
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
      r = admin_.get("/api/v1" + path + "?page=" + std::to_string(page) + "&apiKey=" + key_);
    }
    if (r.status != 200) throw std::runtime_error("source page " + std::to_string(page) + ": " + std::to_string(r.status));
    size_t before = ids.size();
    // IDs are "ROW-nnnnnnn" strings (the synthetic strings of other fields never quote one).
    for (size_t pos = r.body.find("\"ROW-"); pos != std::string::npos; pos = r.body.find("\"ROW-", pos + 1))
      if (pos + 13 < r.body.size() && r.body[pos + 12] == '"') ids.insert(r.body.substr(pos + 1, 11));
    if (ids.size() == before) break;  // the end page has no rows
  }
  return ids;
}

std::string RelEnv::dbname() const {
  auto pos = dsn_.find("dbname=");
  return dsn_.substr(pos + 7);
}

std::string synthetic_dataset(const std::string& report, int rows, int per_page, int version, int seed) {
  return R"({"path": "/projects/Rel/feedbackDataPackages/)" + report + R"(", "resultsPerPage": )" +
         std::to_string(per_page) + R"(, "synthetic": {"rows": )" + std::to_string(rows) + R"(, "seed": )" +
         std::to_string(seed) + R"(, "fields": 6, "emptyRatio": 0.1, "multiRatio": 0.05, "unicode": true, "version": )" +
         std::to_string(version) + R"(, "changeRatio": 0.2, "deleteRatio": 0.02}})";
}

}  // namespace ccetl::test::rel
