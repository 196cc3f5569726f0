#include "warehouse/server_watch.h"

#include <libpq-fe.h>
#include <sys/socket.h>

#include <algorithm>

namespace ccetl::warehouse {
namespace {

using Clock = std::chrono::steady_clock;

thread_local const ServerWatch* tl_innermost = nullptr;

}  // namespace

ServerWatch::ServerWatch(std::string dsn, int socket, void* pg_conn, ServerWatchTiming timing)
    : dsn_(std::move(dsn)),
      socket_(socket),
      timing_(timing),
      cancel_(pg_conn ? PQgetCancel(static_cast<PGconn*>(pg_conn)) : nullptr,
              [](void* c) {
                if (c) PQfreeCancel(static_cast<PGcancel*>(c));
              }),
      thread_([this] { loop(); }) {}

ServerWatch::~ServerWatch() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
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
  {
    std::lock_guard lock(mu_);
    if (busy_depth_ == 0 || verdict_) return;
    interrupted_at_ = Clock::now();
  }
  wake_.notify_all();
  if (!cancel_) return;
  try {
    // Detached: PQcancel can hang on a frozen server; the loop below bounds the statement anyway.
    std::thread([c = cancel_] {
      char err[256];
      PQcancel(static_cast<PGcancel*>(c.get()), err, sizeof err);
    }).detach();
  } catch (...) {
    // No thread to spare: the grace timeout below still ends the statement.
  }
}

bool ServerWatch::server_answers(std::string& why) const {
  const auto seconds = std::max<long long>(
      2, std::chrono::duration_cast<std::chrono::seconds>(timing_.check_timeout).count());
  const std::string timeout = std::to_string(seconds);
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {dsn_.c_str(), timeout.c_str(), "ccetl server check", nullptr};
  PGconn* check = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  bool answered = PQstatus(check) == CONNECTION_OK;
  if (!answered) {
    std::string message = check ? PQerrorMessage(check) : "out of memory";
    // An error the server itself sent (too many clients, authentication) proves it answers.
    answered = message.find("FATAL:") != std::string::npos ||
               message.find("ERROR:") != std::string::npos;
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    why = message;
  }
  PQfinish(check);
  return answered;
}

void ServerWatch::give_up(const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (verdict_) return;
    verdict_ = why;
  }
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
      lock.unlock();
      give_up("cancelled, and the server did not end the statement within " +
              std::to_string(timing_.interrupt_grace.count()) + " ms");
      lock.lock();
      continue;
    }
    if (now < next_check) continue;
    lock.unlock();
    std::string why;
    const bool alive = server_answers(why);
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
    lock.unlock();
    give_up("the database stopped answering: " + std::to_string(failed) +
            " checks on a new connection in a row got no answer (" + why + ")");
    lock.lock();
  }
}

}  // namespace ccetl::warehouse
