// SPDX-License-Identifier: MIT
// `resource_state`: the states of a cluster resource, with the numeric values
// of CLUSTER_RESOURCE_STATE (clusapi.h), so a value converts to the Windows
// number and back without a table.
#pragma once

#include <pendop/result.hpp>

#include <optional>
#include <string_view>

namespace pendop {

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

}  // namespace pendop
