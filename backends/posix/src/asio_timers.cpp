// SPDX-License-Identifier: MIT
#include "asio_timers.hpp"

#include <boost/asio/post.hpp>

#include <vector>

namespace pendop::posix::detail {

scheduler::timer_id asio_timers::schedule_at(time_point when, scheduler::task fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(ex_);
  scheduler::timer_id id = 0;
  {
    std::lock_guard lk(mu_);
    if (closed_) return 0;
    id = next_id_++;
    timers_.emplace(id, timer);
  }
  boost::asio::post(ex_, [self = shared_from_this(), timer, id, when, fn = std::move(fn)]() mutable {
    timer->expires_at(when);
    timer->async_wait([self, id, fn = std::move(fn)](const boost::system::error_code& ec) {
      {
        std::lock_guard lk(self->mu_);
        const auto it = self->timers_.find(id);
        if (it == self->timers_.end()) return;  // cancelled, or closed
        self->timers_.erase(it);
      }
      if (ec) return;
      try {
        fn();
      } catch (...) {
        // A callback's failure is its own to report; the scheduler keeps going.
      }
    });
  });
  return id;
}

bool asio_timers::cancel(scheduler::timer_id id) noexcept {
  std::shared_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard lk(mu_);
    const auto it = timers_.find(id);
    if (it == timers_.end()) return false;
    timer = std::move(it->second);
    timers_.erase(it);
  }
  try {
    boost::asio::post(ex_, [timer] { timer->cancel(); });
  } catch (...) {
    // The timer stays armed but its callback finds itself cancelled.
  }
  return true;
}

void asio_timers::close() noexcept {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> all;
  {
    std::lock_guard lk(mu_);
    closed_ = true;
    for (auto& [id, t] : timers_) all.push_back(std::move(t));
    timers_.clear();
  }
  try {
    for (auto& t : all) boost::asio::post(ex_, [t] { t->cancel(); });
  } catch (...) {
    // Their callbacks find themselves cancelled when they fire.
  }
}

}  // namespace pendop::posix::detail
