// SPDX-License-Identifier: MIT
// The `exec` scenario resource: real processes. Either shell commands
// (start, stop, monitor) or an OCF resource agent ("ocf:heartbeat:Dummy")
// run as-is: start/stop/monitor actions, OCF exit codes mapped to states,
// OCF_RESKEY_* parameters passed through with the environment Pacemaker
// gives every action (crm_feature_set, CRM_meta_timeout, CRM_meta_interval,
// OCF_RESOURCE_TYPE, ...; agents are found under $OCF_ROOT, else
// /usr/lib/ocf). A pending start/stop makes no progress reports of its own
// (they would restart the PendingTimeout window of a silent process). Every
// process runs in a process group of its own; a stop request, a timeout or
// Terminate stops the whole group (SIGTERM, then SIGKILL), whether or not its
// leader is still alive, and Offline also stops what the start left running.
#pragma once

#include "scenario.hpp"

#include <pendop/properties.hpp>
#include <pendop/resource.hpp>

#include <sys/types.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pendop_cli {

class exec_resource final : public pendop::resource {
 public:
  /// How a start, stop or monitor process ended.
  struct exit_status {
    enum kind_t { exited, signaled, stopped, timed_out, spawn_failed, lost } kind;
    int code;  ///< exit code, signal number or errno
  };

  /// `props`: the poll intervals passed as a monitor's CRM_meta_interval;
  /// `log_path`: where the processes' output goes; `tmp_dir`: HA_RSCTMP for agents.
  exec_resource(std::string name, exec_spec spec, const pendop::resource_properties& props,
                std::string log_path, std::string tmp_dir);

  pendop::result<void> online(pendop::operation& op) override;
  pendop::result<void> offline(pendop::operation& op) override;
  bool looks_alive() noexcept override { return monitor(0); }
  bool is_alive() noexcept override { return monitor(10); }
  /// Stops every process of the resource (SIGTERM to each process group,
  /// SIGKILL after a grace period): its start or stop, its monitors, and
  /// what a successful start left running.
  void terminate() noexcept override;

  /// As terminate(), and refuses to start any process after it (the run is over).
  void close() noexcept;

  /// True while any process of the resource is alive.
  [[nodiscard]] bool has_processes() const;

  /// True for a process this resource spawned and reaps itself.
  [[nodiscard]] bool spawned(pid_t pid) const;

  /// The OCF agent path for "ocf:PROVIDER:TYPE" (under OCF_ROOT).
  static std::string agent_path(const std::string& agent);

 private:
  // Runs `action` (start/stop/monitor) in a process group of its own, to
  // completion, stop, or timeout_ms.
  exit_status run(const std::string& action, pendop::operation* op, int check_level);
  bool monitor(int check_level) noexcept;
  void stop_all(bool close) noexcept;
  void forget_group(pid_t pgid);
  std::vector<std::string> command(const std::string& action) const;
  std::vector<std::string> environment(const std::string& action, int check_level) const;

  const std::string name_;
  const exec_spec spec_;
  const pendop::duration looks_alive_interval_;
  const pendop::duration is_alive_interval_;
  const std::string log_path_;
  const std::string tmp_dir_;

  mutable std::mutex groups_mu_;
  std::set<pid_t> groups_;   // guarded: process groups of running start/stop/monitor processes
  pid_t resource_group_ = 0; // guarded: the group a successful start left (a daemon's)
  bool closed_ = false;      // guarded: close() was called
};

}  // namespace pendop_cli
