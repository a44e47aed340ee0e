// SPDX-License-Identifier: MIT
// The resource state machine as one pure function, `next(state, event)`,
// defined for every (state, event) pair. It encodes docs/resapi.md ("States"):
//
//   Offline|Failed|Initializing --online_requested--> OnlinePending
//   Online|Failed               --offline_requested--> OfflinePending
//   Offline|Initializing        --offline_requested--> Offline (settled at once)
//   *Pending --progress_reported--> same   --completed--> Online/Offline
//   *Pending|Online --failed--> Failed      *Pending --pending_timeout--> Failed
//   any --terminate_requested--> Offline (Failed stays Failed; Terminate's
//   page: "the resource goes offline at once", docs/resapi.md, "Where the
//   documentation is silent")
//   Online|Failed|Unknown|Initializing --forced_down--> Offline (a host that
//   must leave the resource down whatever it was: OCF's stop, which may not
//   fail; a pending operation is stopped first, so *Pending rejects it)
//
// Requests in a state that does not accept them are `rejected` with the
// error code a caller should return (ERROR_INVALID_STATE in ResApi terms);
// events that are legal but have no effect (a stale pending timeout, a
// terminate of an offline resource) are `ignored`.
#pragma once

#include <pendop/error.hpp>
#include <pendop/states.hpp>

#include <string_view>

namespace pendop {

/// Something that happens to a resource.
enum class resource_event {
  online_requested,     ///< Online was called
  offline_requested,    ///< Offline was called
  progress_reported,    ///< the worker reported progress (SetResourceStatus, still pending)
  completed,            ///< the worker finished successfully
  failed,               ///< the worker or a health check failed
  terminate_requested,  ///< Terminate was called
  pending_timeout,      ///< PendingTimeout ran out without a report
  forced_down,          ///< the host took the resource down after terminate() (Failed too)
};

/// Every `resource_event`, in enumerator order.
inline constexpr resource_event all_resource_events[] = {
    resource_event::online_requested,    resource_event::offline_requested,
    resource_event::progress_reported,   resource_event::completed,
    resource_event::failed,              resource_event::terminate_requested,
    resource_event::pending_timeout,     resource_event::forced_down};

/// "online_requested", ...
[[nodiscard]] std::string_view to_string(resource_event e) noexcept;

/// How the machine treats an event.
enum class verdict {
  accepted,  ///< the event applies; `next` is the new state (may equal the old)
  ignored,   ///< legal, but changes nothing
  rejected,  ///< not allowed in this state; `reason` says why
};

/// "accepted", "ignored" or "rejected".
[[nodiscard]] std::string_view to_string(verdict v) noexcept;

/// The outcome of one event.
struct transition {
  verdict outcome;
  resource_state next;  ///< the state after the event (the old state unless accepted)
  errc reason{};        ///< for `rejected`: the code to return to the caller

  friend bool operator==(const transition&, const transition&) = default;
};

/// The transition for `event` in state `from`. Pure and total: defined for
/// every pair, including resource_state::unknown (which accepts only
/// terminate, to recover).
[[nodiscard]] transition next(resource_state from, resource_event event) noexcept;

}  // namespace pendop
