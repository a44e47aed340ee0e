// SPDX-License-Identifier: MIT
// The rules pendop_check holds a resource DLL to, grouped in scenarios. A
// scenario runs in a process of its own (pendop_check starts itself with
// --scenario), loads the DLL through `dll_host`, which plays the Resource
// Monitor, and yields one finding per rule: pass, fail (with what happened,
// in numbers, and what to fix) or skip (with why). The rules are ResApi's,
// as docs/resapi.md gives them.
#pragma once

#include <pendop/time.hpp>

#include <functional>
#include <string>
#include <vector>

namespace pendop::win32 {

/// What to check and how strictly.
struct check_options {
  std::wstring dll;                         ///< the resource DLL
  std::wstring type;                        ///< its resource type name
  bool v1 = false;                          ///< Startup and the V1 table (else StartupEx, V2)
  double budget_scale = 1.0;                ///< multiplies every time budget (slow machines)
  milliseconds pending_timeout{10'000};     ///< the PendingTimeout the checker enforces
};

/// One rule's verdict.
struct finding {
  std::string rule;     ///< "pending.online", "terminate.online_pending", ...
  std::string mode;     ///< "V2" (StartupEx) or "V1" (Startup)
  std::string result;   ///< "pass", "fail" or "skip"
  std::string message;  ///< what happened; for a failure, also what to fix

  /// {"rule","mode","result","message"} on one line.
  [[nodiscard]] std::string to_json() const;
  /// Parses what `to_json` wrote; false for anything else.
  static bool from_json(const std::string& line, finding& out);
};

/// The scenarios, in the order they run.
[[nodiscard]] const std::vector<std::string>& scenario_names();

/// The rules a scenario yields findings for (so that a scenario that
/// crashes or hangs can be reported against each of them).
[[nodiscard]] std::vector<std::string> scenario_rules(const std::string& scenario);

/// Receives each finding as soon as it is made (so that what a scenario
/// found before the DLL crashed or hung is not lost).
using finding_sink = std::function<void(const finding&)>;

/// Runs one scenario in this process. A DLL that cannot be loaded or
/// started yields one failed "load" finding.
void run_scenario(const std::string& scenario, const check_options& o, const finding_sink& sink);

}  // namespace pendop::win32
