// SPDX-License-Identifier: MIT
// `call_executor`: where a monitor runs calls into resource code
// (LooksAlive, IsAlive, Terminate, starting Online/Offline), so that its own
// thread never blocks on them. `thread_pool_executor` is the production one;
// `inline_executor` runs each call at once on the caller's thread, which
// makes virtual-time tests deterministic (never use it with code that may
// block).
#pragma once

#include <pendop/time.hpp>

#include <cstdint>
#include <functional>

namespace pendop::posix {

/// Runs calls somewhere.
class call_executor {
 public:
  using call = std::function<void()>;
  virtual ~call_executor() = default;

  /// Runs `fn` (never throws out of it: a call that throws is dropped).
  virtual void execute(call fn) = 0;

  /// A call that `execute_at` holds until its time; 0 is none.
  using timed_id = std::uint64_t;

  /// Runs `fn` once `std::chrono::steady_clock` has reached `when`, on a
  /// thread of the executor that waited for that time itself, so no other
  /// thread hands the call over when it is due. Returns its id, or 0 when
  /// this executor cannot (the default) or is stopping: `fn` is dropped and
  /// the caller uses a timer of its own.
  virtual timed_id execute_at(time_point when, call fn) {
    (void)when;
    (void)fn;
    return 0;
  }

  /// Drops a call that `execute_at` holds. False when it has started
  /// already, was dropped, or `id` is not one of this executor's.
  virtual bool cancel(timed_id id) noexcept {
    (void)id;
    return false;
  }

 protected:
  call_executor() = default;
  call_executor(const call_executor&) = default;
  call_executor& operator=(const call_executor&) = default;
};

/// Runs each call synchronously on the calling thread.
class inline_executor final : public call_executor {
 public:
  void execute(call fn) override {
    try {
      fn();
    } catch (...) {
      // Calls report their own errors; an escaping exception has nowhere to go.
    }
  }
};

}  // namespace pendop::posix
