// SPDX-License-Identifier: MIT
// `call_executor`: where a monitor runs calls into resource code
// (LooksAlive, IsAlive, Terminate, starting Online/Offline), so that its own
// thread never blocks on them. `thread_pool_executor` is the production one;
// `inline_executor` runs each call at once on the caller's thread, which
// makes virtual-time tests deterministic (never use it with code that may
// block).
#pragma once

#include <functional>

namespace pendop::posix {

/// Runs calls somewhere.
class call_executor {
 public:
  using call = std::function<void()>;
  virtual ~call_executor() = default;

  /// Runs `fn` (never throws out of it: a call that throws is dropped).
  virtual void execute(call fn) = 0;

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
