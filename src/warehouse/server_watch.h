// Bounds every wait on one PostgreSQL connection, also when the server keeps the TCP connection
// alive but stops answering (a frozen host or server process, a middlebox that swallows the
// answer). connect_timeout, keepalives and tcp_user_timeout (connection_defaults.h) cannot see
// that case: the peer's kernel still acknowledges everything; and a statement may legitimately
// run for many minutes (a merge of millions of rows), so no fixed per-statement deadline fits.
//
// Contract:
//   * While a Busy scope is open (the connection's owner waits on a statement), the watch asks
//     the server on a NEW connection whether it answers at all: first after `first_check`, then
//     back to back, each check bounded by `check_timeout` (connect and a trivial query). Any answer,
//     even an error such as "too many clients", counts as alive, so a long statement on a
//     working server is never cut. After `failed_checks` checks in a row got no answer, the
//     watch shuts the connection's socket down: the owner's blocked call fails at once with a
//     lost connection, and rethrow_db_error() (on that thread, inside the Busy scope) reports
//     the verdict. Default: silent for 5 s + 2 x 5 s = noticed within about 15 s.
//   * interrupt() never blocks its caller: it sends PostgreSQL's cancel request from a thread of
//     its own (libpq's PQcancel has no timeout and hangs on a frozen server) and, when the
//     statement has not ended `interrupt_grace` later, shuts the socket down too.
//   * The watch never reconnects anything; a shut-down connection is lost for good, and
//     the transaction on it is rolled back by the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ccetl::warehouse {

struct ServerWatchTiming {
  std::chrono::milliseconds first_check{5000};
  std::chrono::milliseconds check_timeout{5000};
  int failed_checks = 2;
  std::chrono::milliseconds interrupt_grace{3000};
};

class ServerWatch {
 public:
  // `socket` is the watched connection's socket, `dsn` how to reach the same server for a check,
  // `pg_conn` the libpq connection (PGconn*) for interrupt()'s cancel request (nullptr: none).
  // The watch must be destroyed before the connection is closed (the socket number is reused).
  ServerWatch(std::string dsn, int socket, void* pg_conn = nullptr, ServerWatchTiming timing = {});
  ~ServerWatch();
  ServerWatch(const ServerWatch&) = delete;
  ServerWatch& operator=(const ServerWatch&) = delete;

  // Marks the connection busy (its owner waits on the server) while it lives; nests.
  class Busy {
   public:
    explicit Busy(ServerWatch& watch);
    ~Busy();
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    ServerWatch& watch_;
    const ServerWatch* outer_;  // the thread's previous innermost scope
  };
  [[nodiscard]] Busy busy() { return Busy(*this); }

  // Asks the server to cancel the running statement; see the contract above. Thread-safe.
  void interrupt() noexcept;

  // Why the watch shut the connection down, once it did.
  std::optional<std::string> verdict() const;

  // The verdict of the innermost Busy scope open on this thread, if its watch gave up.
  static std::optional<std::string> current_verdict();

 private:
  void loop();
  bool server_answers(std::string& why) const;
  void give_up(const std::string& why);

  const std::string dsn_;
  const int socket_;
  const ServerWatchTiming timing_;
  std::shared_ptr<void> cancel_;  // PGcancel*, freed by the last user (a detached cancel thread)

  mutable std::mutex mu_;
  std::condition_variable wake_;
  int busy_depth_ = 0;
  std::chrono::steady_clock::time_point busy_since_;
  std::optional<std::chrono::steady_clock::time_point> interrupted_at_;
  std::optional<std::string> verdict_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace ccetl::warehouse
