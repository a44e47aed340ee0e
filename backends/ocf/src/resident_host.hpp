// SPDX-License-Identifier: MIT
// The resident resource host of an OCF agent (`process_model::resident`):
// one process per resource instance that owns the `pendop::resource` from
// `start` to `stop`, as rhs.exe does on Windows. The actions talk to it over
// a `host_channel` (docs/resident-host.md):
//
//   start    spawns the agent's own executable as the host (a new session,
//            so neither the action's exit nor a kill of the action ends it),
//            waits for it to listen, asks it for Online
//   monitor  asks the host for its state and a fresh LooksAlive (IsAlive at
//            OCF_CHECK_LEVEL >= 10); a host that is gone is a failure, named
//            by how it ended
//   stop     asks the host for Offline, then to exit, and kills its whole
//            process group before the stop's timeout: nothing of the
//            resource outlives a successful stop
//
// The host's process is two: a supervisor (the session and process-group
// leader) that records how the host ended, and the host proper (a monitor
// with the one resource, the channel server). Files beside the state file:
// `.sock` (the channel), `.host` (the group's id and its start time, so a
// reused pid is never killed), `.ended` (how an unexpected end came about).
#pragma once

#include <pendop/ocf/agent.hpp>
#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pendop::ocf::detail {

class agent_log;

/// The hidden action under which the agent's executable runs as the host.
inline constexpr std::string_view resident_host_action = "pendop-resident-host";

/// Where one instance's host keeps its files (beside the state file).
struct host_files {
  explicit host_files(const std::string& state_path);
  std::string socket;
  std::string group;  ///< "<pgid> <start time>"
  std::string ended;  ///< how the host ended, when it did not exit cleanly
};

/// Starts the host for `env`'s instance and waits until it listens (or
/// says why it cannot). Errors name what failed: the spawn, a host that
/// could not make its resource, one that did not answer by `deadline`.
result<void> spawn_host(const host_files& files, const environment& env,
                        std::chrono::steady_clock::time_point deadline);

/// Kills the host's process group (if `files.group` names a live one of
/// ours) and waits, until `deadline`, until none of its processes is left.
/// True when nothing is left.
bool kill_host(const host_files& files, std::chrono::steady_clock::time_point deadline);

/// True while the supervisor recorded in `files.group` still runs.
bool host_supervised(const host_files& files);

/// How the host ended, when it did not exit cleanly ("killed by signal 9");
/// nullopt when nothing was recorded.
std::optional<std::string> host_ending(const host_files& files);

/// Removes the host's files (after a stop).
void remove_host_files(const host_files& files);

/// main() of the host process: supervisor and host. Never returns to the
/// agent's action logic; the value is the process's exit code.
int run_resident_host(const agent_definition& def, const environment& env,
                      const std::string& state_path) noexcept;

}  // namespace pendop::ocf::detail

namespace pendop::ocf::detail {

struct persisted_state;

/// What an action of a resident agent works with.
struct action_context {
  const agent_definition& def;
  const environment& env;
  agent_log& log;
  std::string_view action;
  std::chrono::steady_clock::time_point started;  ///< the action's timeout counts from here
  std::string state_path;
  resource_properties properties;  ///< the instance's ResApi properties (PendingTimeout, ...)
};

/// start, stop and monitor of a resident agent; each returns the OCF exit
/// code and has printed the exit reason of a failure.
int resident_start(const action_context& a, const persisted_state& persisted);
int resident_stop(const action_context& a);
int resident_monitor(const action_context& a, const persisted_state& persisted);

}  // namespace pendop::ocf::detail
