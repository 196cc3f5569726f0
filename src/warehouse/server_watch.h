// Bounds every wait on one PostgreSQL connection, also when the server keeps the TCP connection
// alive but stops answering (a frozen host or server process, a middlebox that swallows the
// answer). connect_timeout, keepalives and tcp_user_timeout (connection_defaults.h) cannot see
// that case: the peer's kernel still acknowledges everything; and a statement may legitimately
// run for many minutes (a merge of millions of rows), so no fixed per-statement deadline fits.
//
// Contract:
//   * While a Busy scope is open (the connection's owner waits on a statement), the watch asks
//     the same server (the watched connection's host and port) on a NEW connection whether it
//     answers at all (libpq's PQping): first after `first_check`, then back to back, each check
//     bounded by `check_timeout` (libpq's connect_timeout; a host name is resolved again, which
//     that does not bound). Any answer, even a refusal such as "too many clients" or "starting
//     up", counts as alive, so a long statement on a working server is never cut; a check that
//     cannot be attempted (bad parameters) counts as alive too. After `failed_checks` checks in
//     a row got no answer, the watch shuts the connection's socket down, if that wait is still
//     on and the descriptor is still the watched socket: the owner's blocked call fails at once
//     with a lost connection, and rethrow_db_error() (on that thread, inside the Busy scope)
//     reports the verdict. Default: silent for 5 s + 2 x 5 s = noticed within about 15 s.
//   * interrupt() never blocks its caller: it sends PostgreSQL's cancel request from a thread of
//     its own (libpq's PQcancel has no timeout and hangs on a frozen server) and, when the
//     statement has not ended `interrupt_grace` later, shuts the socket down too.
//   * The watch never reconnects anything; a shut-down connection is lost for good, and
//     the transaction on it is rolled back by the server. Owners must not let libpqxx reconnect
//     silently (inhibit_reactivation): a new socket would be unwatched.
//   * Destroying the watch waits for a check in progress (at most about `check_timeout`).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <sys/types.h>

namespace ccetl::warehouse {

struct ServerWatchTiming {
  std::chrono::milliseconds first_check{5000};
  std::chrono::milliseconds check_timeout{5000};
  int failed_checks = 2;
  std::chrono::milliseconds interrupt_grace{3000};
};

class ServerWatch {
 public:
  // `socket` is the watched connection's socket; `dsn` with `host` and `port` (the connection's
  // own, as libpq reports them; empty: the DSN's) how to reach the same server for a check. The
  // watch should be destroyed before the connection is closed.
  ServerWatch(std::string dsn, int socket, std::string host = {}, std::string port = {},
              ServerWatchTiming timing = {});
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

  // The libpq connection (PGconn*) for interrupt()'s cancel request; none until set.
  void set_cancel(void* pg_conn);

  // Asks the server to cancel the running statement; see the contract above. Thread-safe.
  void interrupt() noexcept;

  // Why the watch shut the connection down, once it did.
  std::optional<std::string> verdict() const;

  // The verdict of the innermost Busy scope open on this thread, if its watch gave up.
  static std::optional<std::string> current_verdict();

 private:
  void loop();
  bool server_answers() const;
  // Shuts the socket down if the wait that began at `since` is still on; called with mu_ held.
  void give_up_locked(const std::string& why, std::chrono::steady_clock::time_point since);

  const std::string dsn_;
  const std::string host_;
  const std::string port_;
  const int socket_;
  const ServerWatchTiming timing_;
  dev_t socket_dev_ = 0;  // the socket's identity: its descriptor number may be reused
  ino_t socket_ino_ = 0;
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
