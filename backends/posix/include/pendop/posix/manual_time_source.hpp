// SPDX-License-Identifier: MIT
// `manual_time_source`: virtual time for tests. It never ticks on its own;
// `advance()` moves it and wakes every sleeper whose deadline has come.
// `await_sleepers(n)` lets a test wait until n threads are asleep on it, so
// "advance once the worker is waiting" needs no real-time sleep.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <pendop/posix/time_source.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace pendop::posix {

/// A clock that moves only when told to.
class manual_time_source final : public time_source {
 public:
  explicit manual_time_source(time_point start = time_point{}) noexcept : now_(start) {}

  [[nodiscard]] time_point now() const noexcept override;
  bool wait_until(std::stop_token stop, time_point deadline) noexcept override;

  /// Moves time forward by `d` and wakes sleepers whose deadline has come.
  void advance(duration d);

  /// Threads currently asleep in `wait_until`.
  [[nodiscard]] std::size_t sleepers() const;

  /// Blocks until at least `n` threads are asleep in `wait_until`.
  void await_sleepers(std::size_t n) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  time_point now_;
  std::size_t sleepers_ = 0;
};

}  // namespace pendop::posix
