// SPDX-License-Identifier: MIT
#include <pendop/posix/asio_scheduler.hpp>

#include <pendop/posix/steady_time_source.hpp>
#include <pendop/platform/thread_name.hpp>

#include "asio_timers.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace pendop::posix {

namespace detail {

// The scheduler's own io_context and the thread that runs it.
struct asio_scheduler_impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::shared_ptr<asio_timers> timers = std::make_shared<asio_timers>(io.get_executor());
  steady_time_source sleeper;
  std::thread thread;
};

}  // namespace detail

asio_scheduler::asio_scheduler() : impl_(std::make_shared<detail::asio_scheduler_impl>()) {
  impl_->thread = std::thread([impl = impl_] {
    platform::set_current_thread_name("pendop-monitor");
    impl->io.run();
  });
}

// Destroyed by one of its own callbacks (which held the last reference to
// the scheduler's owner), the thread cannot join itself: it is let go, and
// it frees the io_context when the callback has returned.
asio_scheduler::~asio_scheduler() {
  impl_->timers->close();
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
  return impl_->timers->schedule_at(when, std::move(fn));
}

bool asio_scheduler::cancel(timer_id id) noexcept { return impl_->timers->cancel(id); }

}  // namespace pendop::posix
