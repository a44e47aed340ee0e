// SPDX-License-Identifier: MIT
// `operation`: what a resource's online()/offline() body gets to talk to its
// host: the ClusWorkerCheckTerminate flag, an interruptible sleep,
// SetResourceStatus with its RESOURCE_EXIT_STATE answer, and the host's log.
// With it: `log_level` (how serious a log line is) and `operation_details`
// (why the operation runs, from ResApi's V2 entry points).
//
// Every host (the POSIX runner, the Win32 DLL adapter, test doubles)
// implements this interface, so one resource body runs unchanged on all.
//
// Thread-safety: all members may be called from the worker thread running
// the body, and `stop_requested`, `time_left` and `reason` from any thread.
#pragma once

#include <pendop/failure_signal.hpp>
#include <pendop/progress.hpp>
#include <pendop/states.hpp>
#include <pendop/time.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pendop {

/// How serious a line for a person is. Hosts map it to their log: LogEvent's
/// LOG_ERROR/LOG_WARNING/LOG_INFORMATION in a resource DLL, ocf_log's
/// err/warn/info/debug under Pacemaker.
enum class log_level : int { error, warning, info, debug };

/// "error", "warning", "info" or "debug".
[[nodiscard]] constexpr std::string_view to_string(log_level l) noexcept {
  switch (l) {
    case log_level::error: return "error";
    case log_level::warning: return "warning";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
  }
  return "?";
}

/// What a host knows about why an Online or Offline runs. A resource DLL
/// fills it from ResApi's V2 entry points (OnlineV2's OnlineFlags,
/// OfflineV2's OfflineFlags and DestinationNodeName); other hosts leave it
/// empty.
/// The request behind one operation.
struct operation_details {
  /// OnlineV2's OnlineFlags or OfflineV2's OfflineFlags as the cluster passed
  /// them (CLUS_RESDLL_ONLINE_* / CLUS_RESDLL_OFFLINE_*, e.g.
  /// CLUS_RESDLL_OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR 0x2); 0 elsewhere.
  std::uint32_t flags = 0;
  /// OfflineV2's DestinationNodeName (UTF-8): the node the resource moves
  /// to; empty when not moving or not told.
  std::string destination_node{};

  friend bool operator==(const operation_details&, const operation_details&) = default;
};

/// The running side of one pending Online or Offline.
class operation {
 public:
  virtual ~operation() = default;

  /// Which entry point is running.
  [[nodiscard]] virtual operation_kind kind() const noexcept = 0;

  /// True once the operation must end: Terminate was called, PendingTimeout
  /// ran out, the host is shutting down, or a report answered `terminate`.
  /// Poll it between steps (ClusWorkerCheckTerminate).
  [[nodiscard]] virtual bool stop_requested() const noexcept = 0;

  /// Sleeps for `d`, waking at once when stop is requested. Returns true
  /// after the full wait, false when stopped.
  virtual bool wait_for(duration d) noexcept = 0;

  /// Reports progress (SetResourceStatus with a pending state): increments
  /// the checkpoint and restarts the PendingTimeout window. Answers
  /// `terminate` once the operation must end; such a report changes nothing
  /// and the body should return at once.
  virtual exit_state report(const progress& p) = 0;

  /// Time left until the current PendingTimeout deadline (zero when past it
  /// or when stopped).
  [[nodiscard]] virtual duration time_left() const noexcept = 0;

  /// Why the operation was asked to stop (`none` while it has not been).
  [[nodiscard]] virtual stop_reason reason() const noexcept = 0;

  /// Why this operation runs: the cluster's flags and destination node where
  /// the host has them (ResApi V2), else empty.
  [[nodiscard]] virtual const operation_details& details() const noexcept {
    static const operation_details none{};
    return none;
  }

  /// For an Online: a handle that reports a later failure of the resource
  /// between health checks (see `failure_signal`); inert for an Offline and
  /// where the host has no way to hear it.
  [[nodiscard]] virtual failure_signal failure_reporter() const { return {}; }

  /// Writes a line to the host's log, naming the resource: LogEvent (the
  /// cluster log) in a resource DLL, the OCF log under Pacemaker, a `log`
  /// event of the monitor when embedded. Never throws; a host without a log
  /// drops the line.
  virtual void log(log_level level, std::string_view text) noexcept {
    (void)level;
    (void)text;
  }

 protected:
  operation() = default;
  operation(const operation&) = default;
  operation& operator=(const operation&) = default;
};

}  // namespace pendop
