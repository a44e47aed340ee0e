// SPDX-License-Identifier: MIT
// `steady_time_source`: real time from std::chrono::steady_clock; sleeps
// wake at once on a stop request (condition_variable_any with the stop_token).
#pragma once

#include <pendop/posix/time_source.hpp>

#include <memory>

namespace pendop::posix {

/// Real, monotonic time.
class steady_time_source final : public time_source {
 public:
  [[nodiscard]] time_point now() const noexcept override;
  [[nodiscard]] bool is_steady_clock() const noexcept override { return true; }
  bool wait_until(std::stop_token stop, time_point deadline) noexcept override;
};

/// A shared steady time source, for hosts that take a shared_ptr.
[[nodiscard]] std::shared_ptr<time_source> make_steady_time_source();

}  // namespace pendop::posix
