// SPDX-License-Identifier: MIT
#include <pendop/posix/asio_scheduler.hpp>

#include <pendop/posix/steady_time_source.hpp>
#include <pendop/posix/thread_name.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>
#include <thread>
#include <unordered_map>

namespace pendop::posix {

namespace detail {

// Every timer object is touched only on the io thread (created there through
// post); the map says which timers are still wanted, so a cancel that wins
// the race against expiry is always honoured.
struct asio_scheduler_impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  steady_time_source sleeper;
  std::mutex mu;
  std::unordered_map<scheduler::timer_id, std::shared_ptr<boost::asio::steady_timer>> timers;
  scheduler::timer_id next_id = 1;
  std::thread thread;
};

}  // namespace detail

asio_scheduler::asio_scheduler() : impl_(std::make_shared<detail::asio_scheduler_impl>()) {
  impl_->thread = std::thread([impl = impl_] {
    set_current_thread_name("pendop-monitor");
    impl->io.run();
  });
}

// Destroyed by one of its own callbacks (which held the last reference to
// the scheduler's owner), the thread cannot join itself: it is let go, and
// it frees the io_context when the callback has returned.
asio_scheduler::~asio_scheduler() {
  impl_->guard.reset();
  impl_->io.stop();
  if (!impl_->thread.joinable()) return;
  if (impl_->thread.get_id() == std::this_thread::get_id()) {
    impl_->thread.detach();
  } else {
    impl_->thread.join();
  }
}

time_point asio_scheduler::now() const noexcept { return std::chrono::steady_clock::now(); }

bool asio_scheduler::wait_until(std::stop_token stop, time_point deadline) noexcept {
  return impl_->sleeper.wait_until(std::move(stop), deadline);
}

scheduler::timer_id asio_scheduler::schedule_at(time_point when, task fn) {
  auto* impl = impl_.get();
  timer_id id = 0;
  auto timer = std::make_shared<boost::asio::steady_timer>(impl->io);
  {
    std::lock_guard lk(impl->mu);
    id = impl->next_id++;
    impl->timers.emplace(id, timer);
  }
  boost::asio::post(impl->io, [impl, timer, id, when, fn = std::move(fn)]() mutable {
    timer->expires_at(when);
    timer->async_wait([impl, id, fn = std::move(fn)](const boost::system::error_code& ec) {
      {
        std::lock_guard lk(impl->mu);
        const auto it = impl->timers.find(id);
        if (it == impl->timers.end()) return;  // cancelled
        impl->timers.erase(it);
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

bool asio_scheduler::cancel(timer_id id) noexcept {
  auto* impl = impl_.get();
  std::shared_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard lk(impl->mu);
    const auto it = impl->timers.find(id);
    if (it == impl->timers.end()) return false;
    timer = std::move(it->second);
    impl->timers.erase(it);
  }
  try {
    boost::asio::post(impl->io, [timer] { timer->cancel(); });
  } catch (...) {
    // The timer stays armed but its callback finds itself cancelled.
  }
  return true;
}

}  // namespace pendop::posix
