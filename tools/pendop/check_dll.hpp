// SPDX-License-Identifier: MIT
// `pendop check-dll`: runs pendop_check.exe, the resource-DLL checker, under
// Wine on Linux, with the doubles of resutils.dll and clusapi.dll that sit
// beside it preferred over Wine's stubs. The checker's directory is
// --checker DIR, else found as win32_binaries.hpp says. Its exit code is the
// checker's.
#pragma once

#include <string>
#include <vector>

namespace pendop_cli {

/// The help text of `pendop check-dll`.
extern const char* const k_check_dll_help;

/// What `pendop check-dll` was given (empty: not given).
struct check_dll_options {
  std::string dll;
  std::string type;
  bool json = false;
  std::string mode;
  std::string budget_scale;
  std::string pending_timeout;
  std::vector<std::string> scenarios;
  std::string checker_dir;
};

/// Runs `pendop check-dll`. Returns 0 clean, 1 findings, 2 a bad command
/// line or a DLL that cannot be loaded or started; the checker's own output
/// goes to stdout.
int check_dll(const check_dll_options& o);

}  // namespace pendop_cli
