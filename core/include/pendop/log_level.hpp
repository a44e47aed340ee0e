// SPDX-License-Identifier: MIT
// `log_level`: how serious a line for a person is. Hosts map it to their
// log: LogEvent's LOG_ERROR/LOG_WARNING/LOG_INFORMATION in a resource DLL,
// ocf_log's err/warn/info/debug under Pacemaker.
#pragma once

#include <string_view>

namespace pendop {

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

}  // namespace pendop
