#include "warehouse/server_watch.h"

#include <libpq-fe.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <vector>

namespace ccetl::warehouse {
namespace {

using Clock = std::chrono::steady_clock;

thread_local const ServerWatch* tl_innermost = nullptr;

void free_cancel(void* c) {
  if (c) PQfreeCancel(static_cast<PGcancel*>(c));
}

}  // namespace

ServerWatch::ServerWatch(std::string dsn, int socket, std::string host, std::string port,
                         ServerWatchTiming timing)
    : dsn_(std::move(dsn)),
      host_(std::move(host)),
      port_(std::move(port)),
      socket_(socket),
      timing_(timing),
      cancel_(nullptr, free_cancel) {
  struct stat st {};
  if (socket_ >= 0 && ::fstat(socket_, &st) == 0) {
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
  }
  thread_ = std::thread([this] { loop(); });
}

ServerWatch::~ServerWatch() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ServerWatch::set_cancel(void* pg_conn) {
  std::shared_ptr<void> cancel(pg_conn ? PQgetCancel(static_cast<PGconn*>(pg_conn)) : nullptr,
                               free_cancel);
  std::lock_guard lock(mu_);
  cancel_ = std::move(cancel);
}

ServerWatch::Busy::Busy(ServerWatch& watch) : watch_(watch), outer_(tl_innermost) {
  {
    std::lock_guard lock(watch_.mu_);
    if (watch_.busy_depth_++ == 0) watch_.busy_since_ = Clock::now();
  }
  tl_innermost = &watch_;
  watch_.wake_.notify_all();
}

ServerWatch::Busy::~Busy() {
  tl_innermost = outer_;
  std::lock_guard lock(watch_.mu_);
  if (--watch_.busy_depth_ == 0) watch_.interrupted_at_.reset();
}

std::optional<std::string> ServerWatch::current_verdict() {
  return tl_innermost ? tl_innermost->verdict() : std::nullopt;
}

std::optional<std::string> ServerWatch::verdict() const {
  std::lock_guard lock(mu_);
  return verdict_;
}

void ServerWatch::interrupt() noexcept {
  std::shared_ptr<void> cancel;
  {
    std::lock_guard lock(mu_);
    if (busy_depth_ == 0 || verdict_) return;
    interrupted_at_ = Clock::now();
    cancel = cancel_;
  }
  wake_.notify_all();
  if (!cancel) return;
  try {
    // Detached: PQcancel can hang on a frozen server; the loop below bounds the statement anyway.
    std::thread([c = std::move(cancel)] {
      char err[256];
      PQcancel(static_cast<PGcancel*>(c.get()), err, sizeof err);
    }).detach();
  } catch (...) {
    // No thread to spare: the grace timeout below still ends the statement.
  }
}

bool ServerWatch::server_answers() const {
  const auto seconds = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(timing_.check_timeout).count());
  const std::string timeout = std::to_string(seconds);
  std::vector<const char*> keys{"dbname", "connect_timeout"};
  std::vector<const char*> values{dsn_.c_str(), timeout.c_str()};
  if (!host_.empty()) {
    keys.push_back("host");
    values.push_back(host_.c_str());
  }
  if (!port_.empty()) {
    keys.push_back("port");
    values.push_back(port_.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  // PQping judges by the server's answer, not by message text (which lc_messages translates):
  // a refusal (starting up, too many clients, authentication) is an answer.
  return PQpingParams(keys.data(), values.data(), /*expand_dbname=*/1) != PQPING_NO_RESPONSE;
}

void ServerWatch::give_up_locked(const std::string& why, Clock::time_point since) {
  if (verdict_ || busy_depth_ == 0 || busy_since_ != since) return;  // that wait ended
  struct stat st {};
  if (::fstat(socket_, &st) != 0 || st.st_dev != socket_dev_ || st.st_ino != socket_ino_)
    return;  // the connection closed its socket; the number now belongs to something else
  verdict_ = why;
  // Ends the owner's blocked read or write at once ("server closed the connection").
  ::shutdown(socket_, SHUT_RDWR);
}

void ServerWatch::loop() {
  std::unique_lock lock(mu_);
  int failed = 0;
  auto next_check = Clock::time_point::max();
  auto busy_seen = Clock::time_point{};
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    if (stop_ || verdict_) continue;
    if (busy_depth_ == 0) {
      failed = 0;
      next_check = Clock::time_point::max();
      continue;
    }
    const auto now = Clock::now();
    if (busy_since_ != busy_seen) {  // a new wait began
      busy_seen = busy_since_;
      failed = 0;
      next_check = busy_since_ + timing_.first_check;
    }
    if (interrupted_at_ && now - *interrupted_at_ >= timing_.interrupt_grace) {
      give_up_locked("cancelled, and the server did not end the statement within " +
                         std::to_string(timing_.interrupt_grace.count()) + " ms",
                     busy_seen);
      continue;
    }
    if (now < next_check) continue;
    lock.unlock();
    const bool alive = server_answers();
    lock.lock();
    if (busy_depth_ == 0 || busy_since_ != busy_seen) continue;  // that wait ended meanwhile
    if (alive) {
      failed = 0;
      next_check = Clock::now() + timing_.first_check;
      continue;
    }
    if (++failed < timing_.failed_checks) {
      next_check = Clock::now();  // check again at once
      continue;
    }
    give_up_locked("the database stopped answering: " + std::to_string(failed) +
                       " checks on a new connection to the same server in a row got no answer "
                       "within " + std::to_string(timing_.check_timeout.count()) + " ms each",
                   busy_seen);
  }
}

}  // namespace ccetl::warehouse
