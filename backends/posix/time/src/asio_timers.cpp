// SPDX-License-Identifier: MIT
#include "asio_timers.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <vector>

namespace pendop::posix::detail {

asio_timers::asio_timers(const boost::asio::any_io_executor& ex)
    : strand_(boost::asio::make_strand(ex)), timer_(strand_) {}

scheduler::timer_id asio_timers::schedule_at(time_point when, scheduler::task fn) {
  scheduler::timer_id id = 0;
  bool earliest = false;
  {
    std::lock_guard lk(mu_);
    if (closed_) return 0;
    id = next_id_++;
    queue_.emplace(key{when, id}, std::move(fn));
    at_.emplace(id, when);
    if (when < armed_) {
      armed_ = when;
      earliest = true;
    }
  }
  // Only a new earliest task needs the timer moved; any later one is found
  // when the timer fires for the one before it.
  if (earliest) boost::asio::post(strand_, [self = shared_from_this()] { self->run_due(); });
  return id;
}

bool asio_timers::cancel(scheduler::timer_id id) noexcept {
  // Destroyed once the lock is released: what the task captured may hold
  // the last reference to something whose destructor schedules or cancels.
  decltype(queue_)::node_type dropped;
  std::lock_guard lk(mu_);
  const auto it = at_.find(id);
  if (it == at_.end()) return false;  // started, dropped, or never ours
  dropped = queue_.extract(key{it->second, id});
  at_.erase(it);
  return true;
}

void asio_timers::close() noexcept {
  decltype(queue_) dropped;
  {
    std::lock_guard lk(mu_);
    closed_ = true;
    dropped.swap(queue_);
    at_.clear();
  }
  try {
    boost::asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
  } catch (...) {
    // The timer fires for nothing: the queue is empty.
  }
}

void asio_timers::run_due() {
  std::vector<scheduler::task> due;
  while (true) {
    time_point next = time_point::max();
    {
      std::lock_guard lk(mu_);
      const time_point now = std::chrono::steady_clock::now();
      while (!queue_.empty() && queue_.begin()->first.first <= now) {
        auto first = queue_.extract(queue_.begin());
        at_.erase(first.key().second);
        due.push_back(std::move(first.mapped()));
      }
      if (due.empty()) {
        if (!queue_.empty() && !closed_) next = queue_.begin()->first.first;
        armed_ = next;
      }
    }
    if (due.empty()) {
      if (next == time_point::max()) {
        timer_.cancel();
        return;
      }
      if (timer_.expiry() != next) {
        timer_.expires_at(next);  // a wait for another time ends as aborted
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec != boost::asio::error::operation_aborted) self->run_due();
        });
      }
      return;
    }
    for (auto& fn : due) {
      try {
        fn();
      } catch (...) {
        // A task's failure is its own to report; the timers keep going.
      }
      fn = nullptr;  // what it captured is released before the next runs
    }
    due.clear();
  }
}

}  // namespace pendop::posix::detail
