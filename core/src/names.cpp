// SPDX-License-Identifier: MIT
// Names of the small core enums, and the resource_state <-> number mapping.
#include <pendop/detail/state_machine.hpp>
#include <pendop/properties.hpp>
#include <pendop/states.hpp>

#include <fmt/format.h>

namespace pendop {

std::string_view to_string(resource_state s) noexcept {
  switch (s) {
    case resource_state::unknown: return "Unknown";
    case resource_state::initializing: return "Initializing";
    case resource_state::online: return "Online";
    case resource_state::offline: return "Offline";
    case resource_state::failed: return "Failed";
    case resource_state::online_pending: return "OnlinePending";
    case resource_state::offline_pending: return "OfflinePending";
  }
  return "Unknown";
}

std::optional<resource_state> parse_resource_state(std::string_view name) noexcept {
  for (resource_state s : all_resource_states) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

result<resource_state> from_cluster_state(int value) {
  for (resource_state s : all_resource_states) {
    if (to_cluster_state(s) == value) return s;
  }
  return make_error(errc::invalid_argument,
                    fmt::format("{} is not a CLUSTER_RESOURCE_STATE of a resource "
                                "(allowed -1, 1, 2, 3, 4, 129, 130)",
                                value));
}

std::string_view to_string(stop_reason r) noexcept {
  switch (r) {
    case stop_reason::none: return "none";
    case stop_reason::terminate_called: return "terminate_called";
    case stop_reason::pending_timeout: return "pending_timeout";
    case stop_reason::offline_requested: return "offline_requested";
    case stop_reason::shutdown: return "shutdown";
  }
  return "none";
}

std::string_view to_string(restart_action a) noexcept {
  switch (a) {
    case restart_action::dont_restart: return "dont_restart";
    case restart_action::restart_no_notify: return "restart_no_notify";
    case restart_action::restart_notify: return "restart_notify";
  }
  return "restart_notify";
}

std::string_view to_string(resource_event e) noexcept {
  switch (e) {
    case resource_event::online_requested: return "online_requested";
    case resource_event::offline_requested: return "offline_requested";
    case resource_event::progress_reported: return "progress_reported";
    case resource_event::completed: return "completed";
    case resource_event::failed: return "failed";
    case resource_event::terminate_requested: return "terminate_requested";
    case resource_event::pending_timeout: return "pending_timeout";
    case resource_event::forced_down: return "forced_down";
  }
  return "unknown";
}

std::string_view to_string(verdict v) noexcept {
  switch (v) {
    case verdict::accepted: return "accepted";
    case verdict::ignored: return "ignored";
    case verdict::rejected: return "rejected";
  }
  return "rejected";
}

}  // namespace pendop
