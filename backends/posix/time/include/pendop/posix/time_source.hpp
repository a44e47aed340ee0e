// SPDX-License-Identifier: MIT
// `time_source`: the clock a POSIX host reads and sleeps on. Production uses
// `steady_time_source` (std::chrono::steady_clock) or an `asio_scheduler`;
// tests use `virtual_scheduler`, whose time moves only when the test says, so
// a 180-second PendingTimeout is tested in microseconds. `begin_activity` /
// `end_activity` are the seam a virtual clock needs to know when bodies are
// busy; real clocks ignore them.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <pendop/time.hpp>

#include <stop_token>

namespace pendop::posix {

/// A clock that can also sleep until a deadline, interruptibly.
class time_source {
 public:
  virtual ~time_source() = default;

  /// The current time.
  [[nodiscard]] virtual time_point now() const noexcept = 0;

  /// True when `now()` is `std::chrono::steady_clock::now()`: a host may
  /// then read that clock itself, one call fewer on its hottest path (a
  /// worker's progress report).
  [[nodiscard]] virtual bool is_steady_clock() const noexcept { return false; }

  /// Blocks until `deadline` or until `stop` is requested, whichever comes
  /// first. Returns true when the deadline was reached, false when stopped.
  virtual bool wait_until(std::stop_token stop, time_point deadline) noexcept = 0;

  /// A thread starts work that a virtual clock must let finish (or go to
  /// sleep on it) before it moves time on. Real clocks ignore it. Every
  /// call is paired with one `end_activity`.
  virtual void begin_activity() noexcept {}

  /// The work announced by `begin_activity` has ended.
  virtual void end_activity() noexcept {}

 protected:
  time_source() = default;
  time_source(const time_source&) = default;
  time_source& operator=(const time_source&) = default;
};

}  // namespace pendop::posix
