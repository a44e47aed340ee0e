// SPDX-License-Identifier: MIT
#include <pendop/posix/virtual_scheduler.hpp>

#include <algorithm>
#include <stop_token>

namespace pendop::posix {

time_point virtual_scheduler::now() const noexcept {
  std::lock_guard lk(mu_);
  return now_;
}

bool virtual_scheduler::wait_until(std::stop_token stop, time_point deadline) noexcept {
  std::list<sleeper>::iterator me;
  {
    std::lock_guard lk(mu_);
    if (now_ >= deadline) return true;
    me = sleepers_.insert(sleepers_.end(), sleeper{deadline});
  }
  bool reached = false;
  {
    // A stop request counts the sleeper awake before request_stop() returns,
    // so a caller that stops a body and then moves time on (or settles)
    // waits for that body to run. The callback is in place before the
    // sleeper counts as asleep.
    std::stop_callback on_stop(stop, [this, me] {
      {
        std::lock_guard lk(mu_);
        if (me->woken) return;
        me->woken = true;
        me->stopped = true;
        if (me->counted) --asleep_;
      }
      cv_.notify_all();
    });
    std::unique_lock lk(mu_);  // released before on_stop is destroyed
    if (!me->woken) {
      me->counted = true;
      ++asleep_;
      cv_.notify_all();  // settle() may be waiting for this thread to fall asleep
    }
    cv_.wait(lk, [&] { return me->woken; });
    reached = !me->stopped;
  }
  {
    std::lock_guard lk(mu_);
    sleepers_.erase(me);
  }
  cv_.notify_all();
  return reached;
}

void virtual_scheduler::begin_activity() noexcept {
  std::lock_guard lk(mu_);
  ++active_;
}

void virtual_scheduler::end_activity() noexcept {
  {
    std::lock_guard lk(mu_);
    --active_;
  }
  cv_.notify_all();
}

scheduler::timer_id virtual_scheduler::schedule_at(time_point when, task fn) {
  std::lock_guard lk(mu_);
  const timer_id id = next_id_++;
  timers_.emplace(std::pair{when, id}, std::move(fn));
  timer_index_.emplace(id, when);
  return id;
}

bool virtual_scheduler::cancel(timer_id id) noexcept {
  std::lock_guard lk(mu_);
  const auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return false;
  timers_.erase(std::pair{it->second, id});
  timer_index_.erase(it);
  return true;
}

void virtual_scheduler::settle_locked(std::unique_lock<std::mutex>& lk) const {
  cv_.wait(lk, [&] { return active_ <= asleep_; });
}

void virtual_scheduler::settle() const {
  std::unique_lock lk(mu_);
  settle_locked(lk);
}

bool virtual_scheduler::run_one_due(std::unique_lock<std::mutex>& lk) {
  if (timers_.empty() || timers_.begin()->first.first > now_) return false;
  auto node = timers_.extract(timers_.begin());
  timer_index_.erase(node.key().second);
  lk.unlock();
  try {
    node.mapped()();
  } catch (...) {
    // A callback's failure is its own to report; the clock keeps going.
  }
  lk.lock();
  return true;
}

void virtual_scheduler::wake_due_locked() {
  for (auto& s : sleepers_) {
    if (!s.woken && s.deadline <= now_) {
      s.woken = true;
      if (s.counted) --asleep_;
    }
  }
  cv_.notify_all();
}

void virtual_scheduler::advance(duration d) {
  std::unique_lock lk(mu_);
  const time_point target = now_ + d;
  while (true) {
    settle_locked(lk);
    if (run_one_due(lk)) continue;
    if (now_ >= target) break;
    time_point next = target;
    if (!timers_.empty()) next = std::min(next, timers_.begin()->first.first);
    for (const auto& s : sleepers_) {
      if (!s.woken) next = std::min(next, s.deadline);
    }
    now_ = std::max(now_, next);
    wake_due_locked();
  }
  settle_locked(lk);
}

void virtual_scheduler::run_due() {
  std::unique_lock lk(mu_);
  do {
    settle_locked(lk);
  } while (run_one_due(lk));
}

std::size_t virtual_scheduler::pending_timers() const {
  std::lock_guard lk(mu_);
  return timers_.size();
}

std::size_t virtual_scheduler::sleepers() const {
  std::lock_guard lk(mu_);
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(asleep_, 0));
}

}  // namespace pendop::posix
