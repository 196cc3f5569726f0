#include "core/cancel.h"

#include <vector>

namespace ccetl {

void CancelToken::cancel() {
  std::vector<std::function<void()>> to_run;
  std::lock_guard run_lock(callback_run_mu_);
  {
    std::lock_guard lock(mu_);
    if (cancelled_.exchange(true)) return;
    for (auto& [id, fn] : callbacks_) to_run.push_back(fn);
  }
  cv_.notify_all();
  for (auto& fn : to_run) fn();
}

bool CancelToken::sleep_until(Clock::time_point until) const {
  std::unique_lock lock(mu_);
  return !cv_.wait_until(lock, until, [&] { return cancelled(); });
}

CancelToken::Registration CancelToken::on_cancel(std::function<void()> fn) const {
  {
    std::lock_guard lock(mu_);
    if (!cancelled()) {
      uint64_t id = next_id_++;
      callbacks_.emplace(id, std::move(fn));
      return Registration(this, id);
    }
  }
  fn();
  return Registration();
}

CancelToken::Registration::~Registration() {
  if (!token_) return;
  std::lock_guard run_lock(token_->callback_run_mu_);
  std::lock_guard lock(token_->mu_);
  token_->callbacks_.erase(id_);
}

}  // namespace ccetl
