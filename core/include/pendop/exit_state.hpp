// SPDX-License-Identifier: MIT
// `exit_state`: the answer to every status report, RESOURCE_EXIT_STATE in
// ResApi. `terminate` is the monitor's in-band cancellation signal: the
// worker must abandon the operation and return at once.
#pragma once

#include <string_view>

namespace pendop {

/// The answer to a status report. Values are RESOURCE_EXIT_STATE's.
enum class exit_state : int {
  proceed = 0,    ///< ResourceExitStateContinue: carry on
  terminate = 1,  ///< ResourceExitStateTerminate: stop now, report nothing more
};

/// "proceed" or "terminate".
[[nodiscard]] constexpr std::string_view to_string(exit_state e) noexcept {
  return e == exit_state::proceed ? "proceed" : "terminate";
}

}  // namespace pendop
