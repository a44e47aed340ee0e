// SPDX-License-Identifier: MIT
// The `exec` scenario resource: real processes. Either shell commands
// (start, stop, monitor) or an OCF resource agent ("ocf:heartbeat:Dummy")
// run as-is: start/stop/monitor actions, OCF exit codes mapped to states,
// OCF_RESKEY_* parameters passed through with the environment Pacemaker
// gives every action (crm_feature_set, CRM_meta_timeout, CRM_meta_interval,
// OCF_RESOURCE_TYPE, ...; agents are found under $OCF_ROOT, else
// /usr/lib/ocf). A pending start/stop reports every second; a stop request
// or Terminate kills the process group.
#pragma once

#include "scenario.hpp"

#include <pendop/properties.hpp>
#include <pendop/resource.hpp>

#include <sys/types.h>

#include <atomic>
#include <string>
#include <vector>

namespace pendop_cli {

class exec_resource final : public pendop::resource {
 public:
  /// `props`: the poll intervals passed as a monitor's CRM_meta_interval;
  /// `log_path`: where the processes' output goes; `tmp_dir`: HA_RSCTMP for agents.
  exec_resource(std::string name, exec_spec spec, const pendop::resource_properties& props,
                std::string log_path, std::string tmp_dir);

  pendop::result<void> online(pendop::operation& op) override;
  pendop::result<void> offline(pendop::operation& op) override;
  bool looks_alive() noexcept override { return monitor(0); }
  bool is_alive() noexcept override { return monitor(10); }
  void terminate() noexcept override;

  /// The OCF agent path for "ocf:PROVIDER:TYPE" (under OCF_ROOT).
  static std::string agent_path(const std::string& agent);

 private:
  // Runs `action` (start/stop/monitor) to completion or stop; the exit code,
  // or -1 when stopped, -2 when it could not start, -3 on timeout.
  int run(const std::string& action, pendop::operation* op, int check_level);
  bool monitor(int check_level) noexcept;
  std::vector<std::string> command(const std::string& action) const;
  std::vector<std::string> environment(const std::string& action, int check_level) const;

  const std::string name_;
  const exec_spec spec_;
  const pendop::duration looks_alive_interval_;
  const pendop::duration is_alive_interval_;
  const std::string log_path_;
  const std::string tmp_dir_;
  std::atomic<pid_t> running_{0};  // the start/stop process group, for terminate()
};

}  // namespace pendop_cli
