// SPDX-License-Identifier: MIT
// `asio_scheduler`: production timers. A Boost.Asio io_context run by one
// thread the scheduler owns, with one steady timer armed for the earliest
// task; callbacks run on that thread. A task added for later than the
// earliest, or cancelled, does not wake the thread.
// Sleeps (`wait_until`) are real and wake at once on a stop request.
//
// Thread-safety: every member may be called from any thread. The destructor
// stops the thread; timers not yet run are dropped.
#pragma once

#include <pendop/posix/scheduler.hpp>

#include <memory>

namespace pendop::posix {

namespace detail {
struct asio_scheduler_impl;
}  // namespace detail

/// Steady-clock timers on an io_context thread.
class asio_scheduler final : public scheduler {
 public:
  asio_scheduler();
  ~asio_scheduler() override;
  asio_scheduler(const asio_scheduler&) = delete;
  asio_scheduler& operator=(const asio_scheduler&) = delete;

  [[nodiscard]] time_point now() const noexcept override;
  [[nodiscard]] bool is_steady_clock() const noexcept override { return true; }
  bool wait_until(std::stop_token stop, time_point deadline) noexcept override;
  timer_id schedule_at(time_point when, task fn) override;
  bool cancel(timer_id id) noexcept override;

 private:
  std::shared_ptr<detail::asio_scheduler_impl> impl_;  // shared with its thread
};

}  // namespace pendop::posix
