// SPDX-License-Identifier: MIT
// `restart_action`: the RestartAction common property
// (CLUSTER_RESOURCE_RESTART_ACTION), what the monitor does after a failure.
#pragma once

#include <optional>
#include <string_view>

namespace pendop {

/// What to do when a resource fails. Values are ResApi's.
enum class restart_action : unsigned {
  dont_restart = 0,       ///< ClusterResourceDontRestart: stay Failed
  restart_no_notify = 1,  ///< ClusterResourceRestartNoNotify: restart; never escalate
  restart_notify = 2,     ///< ClusterResourceRestartNotify: restart; escalate past the threshold
};

/// "dont_restart", "restart_no_notify" or "restart_notify".
[[nodiscard]] std::string_view to_string(restart_action a) noexcept;

/// The action for a RestartAction number, nullopt outside 0..2.
[[nodiscard]] constexpr std::optional<restart_action> restart_action_from(unsigned long long v) noexcept {
  if (v > 2) return std::nullopt;
  return static_cast<restart_action>(v);
}

}  // namespace pendop
