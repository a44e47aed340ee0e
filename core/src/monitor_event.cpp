// SPDX-License-Identifier: MIT
#include <pendop/monitor_event.hpp>

#include <nlohmann/json.hpp>

#include <chrono>

namespace pendop {

std::string_view to_string(event_kind k) noexcept {
  switch (k) {
    case event_kind::added: return "added";
    case event_kind::removed: return "removed";
    case event_kind::status: return "status";
    case event_kind::request: return "request";
    case event_kind::rejected: return "rejected";
    case event_kind::terminated: return "terminated";
    case event_kind::looks_alive_failed: return "looks_alive_failed";
    case event_kind::is_alive_failed: return "is_alive_failed";
    case event_kind::restart_scheduled: return "restart_scheduled";
    case event_kind::restart: return "restart";
    case event_kind::escalated: return "escalated";
    case event_kind::gave_up: return "gave_up";
    case event_kind::deadlock: return "deadlock";
    case event_kind::late_return: return "late_return";
    case event_kind::zombie: return "zombie";
    case event_kind::shutdown: return "shutdown";
    case event_kind::shutdown_incomplete: return "shutdown_incomplete";
    case event_kind::reconfigured: return "reconfigured";
    case event_kind::log: return "log";
    case event_kind::failure_reported: return "failure_reported";
  }
  return "unknown";
}

std::string to_json_line(const monitor_event& e, time_point epoch) {
  nlohmann::ordered_json j;
  j["t_ms"] = std::chrono::duration<double, std::milli>(e.at - epoch).count();
  j["resource"] = e.resource;
  j["event"] = to_string(e.kind);
  j["from"] = to_string(e.from);
  j["to"] = to_string(e.to);
  j["operation"] = e.operation;
  j["checkpoint"] = e.checkpoint;
  j["reason"] = to_string(e.reason);
  j["stage"] = e.progress.stage;
  j["percent"] = e.progress.percent ? nlohmann::ordered_json(*e.progress.percent) : nullptr;
  j["text"] = e.progress.text;
  j["detail"] = e.detail;
  if (e.error) {
    j["error"] = {{"category", e.error.category().name()}, {"value", e.error.value()}};
  } else {
    j["error"] = nullptr;
  }
  // Replace invalid UTF-8 rather than throw: resource text is not ours to trust.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace pendop
