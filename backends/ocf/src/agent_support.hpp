// SPDX-License-Identifier: MIT
// What an OCF agent's actions share, whichever process model runs them:
// the environment, the action's time budget and the state file that
// outlives each action.
#pragma once

#include <pendop/ocf/agent.hpp>
#include <pendop/result.hpp>
#include <pendop/states.hpp>
#include <pendop/time.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pendop::ocf::detail {

/// The value of `key` in `env`, empty when unset.
[[nodiscard]] std::string env_value(const environment& env, std::string_view key);

/// A whole decimal number, or nullopt.
[[nodiscard]] std::optional<long long> parse_integer(std::string_view v);

[[nodiscard]] long long ms(duration d);

// How a start or stop spends its timeout T (OCF_RESKEY_CRM_meta_timeout, else
// the advised one), counted from the start of the agent's main(). margin =
// T/5 within 0.5-10 s, at most T/2:
//   T - margin      the operation is stopped (PendingTimeout-style)
//   + margin / 4    the body has that long to return, else it is a zombie
//   T - margin / 2  agent_main answers whatever happened (answer_deadline);
//                   the rest is for the process to end on a loaded machine
struct action_budget {
  duration timeout;
  duration limit;
  duration stop_wait;
  duration answer_by;
  duration margin;
};

[[nodiscard]] action_budget budget_for(duration timeout);

/// The action's timeout: OCF_RESKEY_CRM_meta_timeout, else the advised one.
[[nodiscard]] duration action_timeout(const agent_definition& def, bool online,
                                      const environment& env);

/// What the last action left: the state, and for Failed (or a pending state
/// an action was killed in) why. No file: Offline.
struct persisted_state {
  resource_state state = resource_state::offline;
  std::string reason;
};

/// The state file of `env`'s instance (its directory made if need be).
[[nodiscard]] std::string state_path(const agent_definition& def, const std::string& state_dir,
                                     const environment& env);
[[nodiscard]] persisted_state read_state(const std::string& path);
/// Atomic: a reader sees the old state or the new one, never half a file.
result<void> write_state(const std::string& path, resource_state s, std::string_view reason = {});
result<void> remove_state(const std::string& path);

}  // namespace pendop::ocf::detail
