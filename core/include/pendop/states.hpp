// SPDX-License-Identifier: MIT
// The states and answers of a pending operation, the vocabulary every other
// header speaks:
//
//   resource_state  a resource's state, with CLUSTER_RESOURCE_STATE's numbers
//   operation_kind  which entry point a pending operation runs (Online, Offline)
//   stop_reason     why an operation was asked to stop; ResApi's Terminate
//                   carries no reason, pendop keeps one for diagnostics
//   exit_state      the answer to every status report (RESOURCE_EXIT_STATE);
//                   `terminate` is the monitor's in-band cancellation signal
#pragma once

#include <pendop/result.hpp>

#include <optional>
#include <string_view>

namespace pendop {

// ---- resource_state

/// A resource's state. Enumerator values are the CLUSTER_RESOURCE_STATE numbers.
enum class resource_state : int {
  unknown = -1,          ///< ClusterResourceStateUnknown
  initializing = 1,      ///< ClusterResourceInitializing: opened, never brought online
  online = 2,            ///< ClusterResourceOnline
  offline = 3,           ///< ClusterResourceOffline
  failed = 4,            ///< ClusterResourceFailed
  online_pending = 129,  ///< ClusterResourceOnlinePending: Online returned ERROR_IO_PENDING
  offline_pending = 130, ///< ClusterResourceOfflinePending: Offline returned ERROR_IO_PENDING
};

/// Every `resource_state`, in enumerator order (for tables and tests).
inline constexpr resource_state all_resource_states[] = {
    resource_state::unknown, resource_state::initializing,   resource_state::online,
    resource_state::offline, resource_state::failed,         resource_state::online_pending,
    resource_state::offline_pending};

/// The ResApi name: "Online", "OnlinePending", ... ("Unknown" for unknown).
[[nodiscard]] std::string_view to_string(resource_state s) noexcept;

/// Inverse of `to_string` (exact, case-sensitive); nullopt for other text.
[[nodiscard]] std::optional<resource_state> parse_resource_state(std::string_view name) noexcept;

/// The CLUSTER_RESOURCE_STATE number of `s`.
[[nodiscard]] constexpr int to_cluster_state(resource_state s) noexcept {
  return static_cast<int>(s);
}

/// The resource state for a CLUSTER_RESOURCE_STATE number. Fails with
/// `errc::invalid_argument` for numbers that are not resource states
/// (ClusterResourceInherited 0 and ClusterResourcePending 128 are group-level
/// values; 126/127 are placement hints, not states).
[[nodiscard]] result<resource_state> from_cluster_state(int value);

/// True for OnlinePending and OfflinePending.
[[nodiscard]] constexpr bool is_pending(resource_state s) noexcept {
  return s == resource_state::online_pending || s == resource_state::offline_pending;
}

// ---- operation_kind

/// The entry point a pending operation runs.
enum class operation_kind {
  online,   ///< resource::online()
  offline,  ///< resource::offline()
};

/// "Online" or "Offline", the ResApi entry-point names.
[[nodiscard]] constexpr std::string_view to_string(operation_kind k) noexcept {
  return k == operation_kind::online ? "Online" : "Offline";
}

// ---- stop_reason

/// Why an operation was asked to stop. `none` while it has not been.
enum class stop_reason {
  none,               ///< not stopped
  terminate_called,   ///< Terminate was called (by the monitor or the embedder)
  pending_timeout,    ///< no report arrived within PendingTimeout
  offline_requested,  ///< a forced offline ended the pending operation
  shutdown,           ///< the host is shutting down
};

/// "none", "terminate_called", "pending_timeout", "offline_requested", "shutdown".
[[nodiscard]] std::string_view to_string(stop_reason r) noexcept;

// ---- exit_state

/// The answer to a status report. Values are RESOURCE_EXIT_STATE's.
enum class exit_state : int {
  proceed = 0,    ///< ResourceExitStateContinue: carry on
  terminate = 1,  ///< ResourceExitStateTerminate: stop now, report nothing more
};

/// "proceed" or "terminate".
[[nodiscard]] constexpr std::string_view to_string(exit_state e) noexcept {
  return e == exit_state::proceed ? "proceed" : "terminate";
}

}  // namespace pendop
