// SPDX-License-Identifier: MIT
// OCF exit codes (OCF resource-agent API 1.1) and how pendop's states map to
// them. Pure functions, unit-tested.
#pragma once

#include <pendop/states.hpp>

#include <string_view>

namespace pendop::ocf {

/// OCF return codes.
enum class exit_code : int {
  success = 0,            ///< OCF_SUCCESS
  err_generic = 1,        ///< OCF_ERR_GENERIC
  err_args = 2,           ///< OCF_ERR_ARGS
  err_unimplemented = 3,  ///< OCF_ERR_UNIMPLEMENTED
  err_perm = 4,           ///< OCF_ERR_PERM
  err_installed = 5,      ///< OCF_ERR_INSTALLED
  err_configured = 6,     ///< OCF_ERR_CONFIGURED
  not_running = 7,        ///< OCF_NOT_RUNNING
};

/// "OCF_SUCCESS", "OCF_NOT_RUNNING", ...
[[nodiscard]] std::string_view to_string(exit_code c) noexcept;

/// `monitor`: Offline (or never started) -> not_running; Online and alive ->
/// success; Online but not alive, Failed, or a pending state left by an
/// agent that was killed mid-action -> err_generic.
[[nodiscard]] exit_code monitor_code(resource_state persisted, bool alive) noexcept;

/// `start` after the operation settled in `final` (Online -> success, else err_generic).
[[nodiscard]] exit_code start_code(resource_state final) noexcept;

/// `stop` after the operation settled in `final`: Offline -> success (also
/// after a forced Terminate), else err_generic.
[[nodiscard]] exit_code stop_code(resource_state final) noexcept;

}  // namespace pendop::ocf
