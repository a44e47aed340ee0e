// SPDX-License-Identifier: MIT
// `asio_timers`: steady timers on any Asio executor, behind the `scheduler`
// interface's schedule/cancel. Every timer object is touched only on the
// executor (created there through post); the map says which timers are still
// wanted, so a cancel that wins the race against expiry is honoured, and
// `close()` makes every later expiry a no-op. Handlers hold the timers
// alive, so an executor that outlives the scheduler is safe.
#pragma once

#include <pendop/posix/scheduler.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace pendop::posix::detail {

class asio_timers : public std::enable_shared_from_this<asio_timers> {
 public:
  explicit asio_timers(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

  scheduler::timer_id schedule_at(time_point when, scheduler::task fn);
  bool cancel(scheduler::timer_id id) noexcept;
  /// Cancels every timer; later callbacks do nothing.
  void close() noexcept;

 private:
  const boost::asio::any_io_executor ex_;
  std::mutex mu_;
  std::unordered_map<scheduler::timer_id, std::shared_ptr<boost::asio::steady_timer>> timers_;
  scheduler::timer_id next_id_ = 1;
  bool closed_ = false;
};

}  // namespace pendop::posix::detail
