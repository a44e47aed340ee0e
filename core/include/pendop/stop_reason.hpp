// SPDX-License-Identifier: MIT
// `stop_reason`: why a pending operation was asked to stop. ResApi's
// Terminate carries no reason; pendop keeps one so diagnostics can say why.
#pragma once

#include <string_view>

namespace pendop {

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

}  // namespace pendop
