#include "support/pg_cluster.h"

#include <pqxx/pqxx>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include <csignal>
#include <stdexcept>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace ccetl::test {
namespace {

const char* kPgBin = "/usr/lib/postgresql/15/bin";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

void run(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("test cluster command failed: " + cmd);
}

// As root, PostgreSQL refuses to run: wrap commands with runuser to the postgres user.
std::string as_pg_user(const std::string& cmd) {
  if (::geteuid() != 0) return cmd;
  return "runuser -u postgres -- sh -c '" + cmd + "'";
}

class Cluster {
 public:
  Cluster() {
    if (const char* base = std::getenv("CCETL_TEST_PG_DSN_BASE"); base && *base) {
      base_ = base;
      return;
    }
    owned_ = true;
    dir_ = std::filesystem::temp_directory_path() /
           ("ccetl-pg-" + std::to_string(::getpid()) + "-" + std::to_string(free_port()));
    std::filesystem::create_directories(dir_ / "sock");
    if (::geteuid() == 0) run("chown -R postgres:postgres " + dir_.string());
    run(as_pg_user(std::string(kPgBin) + "/initdb -D " + (dir_ / "data").string() +
                   " -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >" +
                   (dir_ / "initdb.log").string() + " 2>&1"));
    port_ = free_port();
    start();
    base_ = "host=" + (dir_ / "sock").string() + " port=" + std::to_string(port_) + " user=postgres";
  }

  ~Cluster() {
    if (!owned_) return;
    std::system(as_pg_user(std::string(kPgBin) + "/pg_ctl -D " + (dir_ / "data").string() +
                           " -m immediate stop >/dev/null 2>&1")
                    .c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start() {
    run(as_pg_user(std::string(kPgBin) + "/pg_ctl -D " + (dir_ / "data").string() + " -w -l " +
                   (dir_ / "server.log").string() + " -o \"-p " + std::to_string(port_) + " -k " +
                   (dir_ / "sock").string() +
                   " -c listen_addresses= -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=200\" start >/dev/null"));
  }

  void restart() {
    if (!owned_) throw std::runtime_error("restart_cluster: cluster not owned by this process");
    run(as_pg_user(std::string(kPgBin) + "/pg_ctl -D " + (dir_ / "data").string() +
                   " -m fast -w stop >/dev/null"));
    start();
  }

  void stop() {
    if (!owned_) throw std::runtime_error("stop_cluster: cluster not owned by this process");
    run(as_pg_user(std::string(kPgBin) + "/pg_ctl -D " + (dir_ / "data").string() +
                   " -m fast -w stop >/dev/null"));
  }

  // The postmaster first, so that it starts no new process, then its children; thaw in reverse.
  int freeze() {
    if (!owned_) throw std::runtime_error("freeze_cluster: cluster not owned by this process");
    frozen_ = processes();
    int n = 0;
    for (int pid : frozen_) n += ::kill(pid, SIGSTOP) == 0;
    return n;
  }
  void thaw() {
    for (auto it = frozen_.rbegin(); it != frozen_.rend(); ++it) ::kill(*it, SIGCONT);
    frozen_.clear();
  }

  bool owned() const { return owned_; }
  const std::string& base() const { return base_; }

 private:
  // The postmaster's pid (postmaster.pid, first line), then its children's (/proc/*/stat).
  std::vector<int> processes() const {
    std::vector<int> out;
    std::ifstream pidfile(dir_ / "data" / "postmaster.pid");
    int postmaster = 0;
    if (!(pidfile >> postmaster) || postmaster <= 0) return out;
    out.push_back(postmaster);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream stat(entry.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      auto close = line.rfind(')');  // "pid (comm) state ppid ..."; comm may hold spaces
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 1));
      std::string state;
      int ppid = 0;
      rest >> state >> ppid;
      if (ppid == postmaster) out.push_back(std::stoi(name));
    }
    return out;
  }

  bool owned_ = false;
  std::vector<int> frozen_;
  std::filesystem::path dir_;
  int port_ = 0;
  std::string base_;
};

Cluster& cluster() {
  static Cluster instance;
  return instance;
}

}  // namespace

std::string admin_dsn() { return cluster().base() + " dbname=postgres"; }

std::string fresh_database() {
  static std::atomic<int> counter{0};
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string name = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection admin(admin_dsn());
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE DATABASE " + name + " TEMPLATE template0");
  return cluster().base() + " dbname=" + name;
}

void restart_cluster() { cluster().restart(); }
bool owns_cluster() { return cluster().owned(); }
void stop_cluster() { cluster().stop(); }
void start_cluster() { cluster().start(); }
int freeze_cluster() { return cluster().freeze(); }
void thaw_cluster() { cluster().thaw(); }

}  // namespace ccetl::test
