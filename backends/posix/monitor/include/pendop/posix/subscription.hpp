// SPDX-License-Identifier: MIT
// `subscription`: a monitor event subscriber's handle. Destroying it (or
// calling `reset`) unsubscribes; once that returns, from outside a
// subscriber, the sink is never called again. A handle may outlive its
// monitor: the monitor stops calling subscribers when it is destroyed, and
// the handle then does nothing.
//
//   auto events = monitor->subscribe([](const pendop::monitor_event& e) { ... });
//   ...                      // events arrive while `events` lives
//   events.reset();          // or let it go out of scope
#pragma once

#include <cstdint>
#include <memory>

namespace pendop::posix {

namespace detail {
struct monitor_core;
}  // namespace detail

class subscription {
 public:
  subscription() noexcept = default;
  subscription(subscription&& other) noexcept;
  subscription& operator=(subscription&& other) noexcept;
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;
  ~subscription();

  /// Unsubscribes now (idempotent).
  void reset() noexcept;

  /// The subscriber id (`monitor::unsubscribe` takes it too); 0 when empty.
  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }

  /// True while subscribed through this handle.
  [[nodiscard]] explicit operator bool() const noexcept { return id_ != 0; }

 private:
  friend class monitor;
  subscription(std::weak_ptr<detail::monitor_core> core, std::uint64_t id) noexcept
      : core_(std::move(core)), id_(id) {}

  std::weak_ptr<detail::monitor_core> core_;
  std::uint64_t id_ = 0;
};

}  // namespace pendop::posix
